/**
 * The catalogue of real EC2 instance types: the `InstanceType` enum that @pulumi/aws generates
 * from the AWS provider's schema (1,405 types in @pulumi/aws 7.48.0, published 2026-09-22).
 * It moves with the pinned @pulumi/aws: upgrading the provider brings new types.
 */
import { InstanceType } from "@pulumi/aws/types/enums/ec2";
import { didYouMean } from "./suggest";

const CATALOGUE: ReadonlySet<string> = new Set(Object.values(InstanceType));

export function isEc2InstanceType(name: string): boolean {
    return CATALOGUE.has(name);
}

/** Why `name` is not an instance type, with the sizes of its family or the nearest real type. */
export function unknownInstanceTypeMessage(name: string): string {
    const family = name.split(".")[0];
    const sizes = [...CATALOGUE].filter((type) => type.startsWith(`${family}.`)).map((type) => type.slice(family.length + 1));
    if (sizes.length > 0) return `is not an EC2 instance type: ${family} comes in ${sizes.join(", ")}`;
    return `is not an EC2 instance type${didYouMean(name, [...CATALOGUE])}`;
}
