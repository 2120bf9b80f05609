// Heuristics for secrets written in plain text. Names are split into words (snake, kebab,
// dot and camelCase) so `DB_PASSWORD`, `apiKey` and `client-secret` match while `MONKEY` or
// `KEYCLOAK_URL` do not.

const SECRET_WORDS = new Set([
    "password", "passwd", "pwd", "passphrase", "secret", "token", "key", "apikey", "credential", "credentials",
]);

// A "key" that is clearly not a secret.
const HARMLESS_KEY_PHRASES = [/public[_-]?key/i, /key[_-]?id$/i, /key[_-]?(name|file|path)$/i, /cache[_-]?key/i];

export function nameWords(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter((word) => word !== "")
        .map((word) => word.toLowerCase());
}

export function looksLikeSecretName(name: string): boolean {
    if (HARMLESS_KEY_PHRASES.some((phrase) => phrase.test(name))) return false;
    return nameWords(name).some((word) => SECRET_WORDS.has(word));
}

// A switch is not a secret, whatever its name says (`OPERATOR_EXPOSED_SECRET_SCANNER_ENABLED=true`).
const BOOLEAN_LITERAL = /^(true|false)$/i;

/** Whether a literal value can be a secret at all: `true`/`false` are settings, never credentials. */
export function canBeSecretValue(value: string): boolean {
    return value !== "" && !BOOLEAN_LITERAL.test(value.trim());
}

const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

export function containsPrivateKey(value: string): boolean {
    return PEM_PRIVATE_KEY.test(value);
}
