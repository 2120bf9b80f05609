/** Kubernetes quantities, enough for cpu (`500m`, `4`) and memory/storage (`128Mi`, `2Ti`): cores and bytes. */
export function quantity(value: string): number {
    const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(value);
    if (!match) throw new Error(`unparsed quantity ${value}`);
    const factor = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[match[2] ?? ""] ?? 1;
    return Number(match[1]) * factor;
}
