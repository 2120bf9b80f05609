import { closest, distance } from "fastest-levenshtein";

/**
 * The known name closest to `input`, if it is close enough to be a likely typo: a few edits
 * (a dropped `s`, swapped letters), or the same name in another case.
 */
export function nearestName(input: string, known: readonly string[]): string | undefined {
    if (known.length === 0) return undefined;
    const sameIgnoringCase = known.find((k) => k.toLowerCase() === input.toLowerCase());
    if (sameIgnoringCase) return sameIgnoringCase;
    const candidate = closest(input, [...known]);
    return distance(input, candidate) <= Math.max(2, Math.floor(input.length / 3)) ? candidate : undefined;
}

/** `; did you mean \`x\`?` when a known name is near, else "". */
export function didYouMean(input: string, known: readonly string[]): string {
    const near = nearestName(input, known);
    return near ? `; did you mean \`${near}\`?` : "";
}
