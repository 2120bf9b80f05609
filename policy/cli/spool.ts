// Output that is written as results arrive but released only once the whole run has succeeded:
// an input error found in the last document must still leave stdout empty (exit 2), and holding
// every result in memory is what made large inputs blow up. Text is buffered up to a megabyte,
// then spilled to a temporary file.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { StringDecoder } from "node:string_decoder";

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

    /** Hands everything written, in order, to `out`, then releases the spool. */
    drainTo(out: (chunk: string) => void): void {
        if (this.file) {
            this.spill();
            const buffer = Buffer.alloc(SPILL_AT);
            const decoder = new StringDecoder("utf8"); // a chunk may end inside a character
            let position = 0;
            for (let read = readSync(this.file.fd, buffer, 0, buffer.length, position); read > 0; read = readSync(this.file.fd, buffer, 0, buffer.length, position)) {
                position += read;
                out(decoder.write(buffer.subarray(0, read)));
            }
            out(decoder.end());
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
