// The framework items our policies implement. Kept in one place so that the docs table and the
// policy metadata cannot drift apart. References name the control by its title as well as its
// number, because numbering shifts between benchmark versions while titles rarely do.

export interface FrameworkItem {
    framework: string;
    version: string;
    reference: string;
    title: string;
}

function item(framework: string, version: string) {
    return (reference: string, title: string): FrameworkItem => ({ framework, version, reference, title });
}

export const pss = item("Pod Security Standards", "Kubernetes v1.37");
export const cisEks = item("CIS Amazon EKS Benchmark", "v1.7.0");
export const nsaCisa = item("NSA/CISA Kubernetes Hardening Guide", "v1.2");
export const awsFsbp = item("AWS Foundational Security Best Practices", "2025");
export const eksBestPractices = item("Amazon EKS Best Practices Guide", "2025");
/** Check ids of the open-source scanners that implement the same controls (read at Checkov 3.3.13, Prowler 5.40.0). */
export const checkov = item("Checkov", "3.3");
export const prowler = item("Prowler", "5.40");
