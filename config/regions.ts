/**
 * AWS Regions the platform knows, with their Availability Zone counts.
 *
 * Counts are the AZ IDs AWS publishes per Region ("AWS Availability Zones" in the AWS Regions
 * and Availability Zones guide, docs.aws.amazon.com/global-infrastructure/latest/regions/
 * aws-availability-zones.html), recorded on REGION_TABLE_RECORDED. Some older Regions give newer
 * accounts fewer zones than they have (us-west-1, ap-northeast-1): the network component checks
 * the account's own zones before it creates any subnet (components/network.ts), and a Region
 * missing from this table is checked the same way.
 */
export const REGION_TABLE_RECORDED = "2026-11-30";
export const REGION_TABLE_SOURCE = "AWS Regions and Availability Zones guide, 'AWS Availability Zones' (AZ IDs per Region)";

export const AVAILABILITY_ZONES_BY_REGION: Readonly<Record<string, number>> = {
    "us-east-1": 6,
    "us-east-2": 3,
    "us-west-1": 3,
    "us-west-2": 4,
    "ca-central-1": 3,
    "ca-west-1": 3,
    "mx-central-1": 3,
    "sa-east-1": 3,
    "eu-west-1": 3,
    "eu-west-2": 3,
    "eu-west-3": 3,
    "eu-central-1": 3,
    "eu-central-2": 3,
    "eu-north-1": 3,
    "eu-south-1": 3,
    "eu-south-2": 3,
    "af-south-1": 3,
    "il-central-1": 3,
    "me-south-1": 3,
    "me-central-1": 3,
    "ap-east-1": 3,
    "ap-east-2": 3,
    "ap-south-1": 3,
    "ap-south-2": 3,
    "ap-northeast-1": 4,
    "ap-northeast-2": 4,
    "ap-northeast-3": 3,
    "ap-southeast-1": 3,
    "ap-southeast-2": 3,
    "ap-southeast-3": 3,
    "ap-southeast-4": 3,
    "ap-southeast-5": 3,
    "ap-southeast-7": 3,
    "us-gov-west-1": 3,
    "us-gov-east-1": 3,
    "cn-north-1": 3,
    "cn-northwest-1": 3,
};

export const KNOWN_REGIONS = Object.keys(AVAILABILITY_ZONES_BY_REGION);

/** Every AWS Region offers at least this many zones (same guide). */
export const MINIMUM_AVAILABILITY_ZONES = 3;

/** The Region's published AZ count, or undefined for a Region this table does not know. */
export function availabilityZoneCount(region: string): number | undefined {
    return AVAILABILITY_ZONES_BY_REGION[region];
}
