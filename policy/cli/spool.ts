// Output that is written as results arrive but released only once the whole run has succeeded:
// an input error found in the last document must still leave stdout empty (exit 2), and holding
// every result in memory is what made large inputs blow up. Text is buffered up to a megabyte,
// then spilled to a temporary file.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const SPILL_AT = 1 << 20;

export class Spool {
    private chunks: string[] = [];
    private buffered = 0;
    private file: { dir: string; path: string; fd: number } | undefined;

    write(text: string): void {
        this.chunks.push(text);
        this.buffered += text.length;
        if (this.buffered >= SPILL_AT) this.spill();
    }

    private spill(): void {
        if (!this.file) {
            const dir = mkdtempSync(path.join(tmpdir(), "policy-check-"));
            const file = path.join(dir, "spool");
            this.file = { dir, path: file, fd: openSync(file, "w+") };
        }
        writeSync(this.file.fd, this.chunks.join(""));
        this.chunks = [];
        this.buffered = 0;
    }

    /** Hands everything written, in order, to `out` (UTF-8 bytes from the file), then releases the spool. */
    drainTo(out: (chunk: string | Uint8Array) => void): void {
        if (this.file) {
            this.spill();
            let position = 0;
            for (;;) {
                const buffer = Buffer.allocUnsafe(SPILL_AT); // handed over, so a fresh one per read
                const read = readSync(this.file.fd, buffer, 0, buffer.length, position);
                if (read === 0) break;
                position += read;
                out(buffer.subarray(0, read));
            }
        } else if (this.chunks.length > 0) {
            out(this.chunks.join(""));
        }
        this.discard();
    }

    discard(): void {
        this.chunks = [];
        this.buffered = 0;
        if (this.file) {
            closeSync(this.file.fd);
            rmSync(this.file.dir, { recursive: true, force: true });
            this.file = undefined;
        }
    }
}
