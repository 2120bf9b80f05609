// k8s-internal-load-balancer: every way a Service or an Ingress can face the internet is refused
// outside the namespaces that may (deny fixtures), and allowed inside them with TLS (allow
// fixtures); the extractors read objects as the AWS Load Balancer Controller does.
import { describe, expect, it } from "vitest";
import { ACM_CERTIFICATE_ARN, ingressClassCatalogue, ingressLoadBalancer, serviceLoadBalancer } from "../../policy/lib/loadBalancers";
import { INTERNET_FACING_ALLOWED, INTERNET_FACING_LABEL } from "../../components/shared/labels";
import { INTERNET_FACING_INGRESS_CLASS, NLB_LOAD_BALANCER_CLASS } from "../../components/awsLoadBalancerController";
import * as lb from "../../policy/lib/loadBalancers";
import { allPolicies } from "../../policy/policies";
import { LOAD_BALANCER_CASES, platformIngressClasses } from "./fixtures/loadBalancerFixtures";
import { compliantStack, evaluate, k8s } from "./helpers";

const POLICY = "k8s-internal-load-balancer";
const messagesOf = (resources: Parameters<typeof evaluate>[0], config?: Parameters<typeof evaluate>[1]) => {
    const report = evaluate(resources, config);
    return { mandatory: report.violations.filter((v) => v.policy === POLICY).map((v) => v.message), others: report.violations.filter((v) => v.policy !== POLICY), notEvaluated: report.notEvaluated };
};

describe.each(LOAD_BALANCER_CASES.map((c) => [c.name, c] as const))("%s", (_name, fixture) => {
    it("the deny fixture is refused, with exactly the expected messages", () => {
        const { mandatory, others } = messagesOf([...compliantStack(), ...fixture.deny()], fixture.config);
        expect(mandatory).toHaveLength(fixture.messages.length);
        for (const message of fixture.messages) expect(mandatory.some((m) => message.test(m)), `${message} in ${JSON.stringify(mandatory)}`).toBe(true);
        expect(others).toEqual([]);
    });

    it("the allow fixture passes the whole pack", () => {
        expect(evaluate([...compliantStack(), ...fixture.allow()], fixture.config)).toEqual({ violations: [], notEvaluated: [] });
    });
});

describe("the pack and the platform agree", () => {
    it("on the namespace label, the internet-facing class and the controller's load balancer class", () => {
        expect([lb.INTERNET_FACING_LABEL, lb.INTERNET_FACING_ALLOWED]).toEqual([INTERNET_FACING_LABEL, INTERNET_FACING_ALLOWED]);
        expect(lb.CONTROLLER_LOAD_BALANCER_CLASS).toBe(NLB_LOAD_BALANCER_CLASS);
        const knob = allPolicies.find((p) => p.name === POLICY)!.configSchema!.properties.internetFacingIngressClasses as { default: string[] };
        expect(knob.default).toEqual([INTERNET_FACING_INGRESS_CLASS]);
    });
});

describe("reading objects as the controller does", () => {
    const service = (annotations: Record<string, string>, spec: Record<string, unknown> = {}) => ({ metadata: { name: "s", namespace: "shop", annotations }, spec: { type: "LoadBalancer", ...spec } });

    it("a Service: the controller's default scheme is internal, the in-tree provider's is not", () => {
        expect(serviceLoadBalancer(service({}, { loadBalancerClass: "service.k8s.aws/nlb" }))).toEqual({ provisioner: "controller", scheme: "internal" });
        expect(serviceLoadBalancer(service({}))).toEqual({ provisioner: "in-tree", scheme: "internet-facing" });
        expect(serviceLoadBalancer(service({ "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }))).toEqual({ provisioner: "in-tree", scheme: "internal" });
        expect(serviceLoadBalancer(service({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" }, { loadBalancerClass: "service.k8s.aws/nlb" }))?.scheme).toBe("internet-facing");
        // A scheme the controller does not know is not taken for internal.
        expect(serviceLoadBalancer(service({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "Internal" }, { loadBalancerClass: "service.k8s.aws/nlb" }))?.scheme).toBe("internet-facing");
        expect(serviceLoadBalancer({ spec: { type: "ClusterIP" } })).toBeUndefined();
    });

    it("an Ingress: the class's params win over the annotation; the default class applies to an Ingress that names none; other controllers' classes are not judged", () => {
        const classes = platformIngressClasses().map((r) => r.props);
        const kind = (r: Record<string, any>) => (r.spec?.controller ? "IngressClass" : "IngressClassParams");
        const catalogue = ingressClassCatalogue(classes.filter((c) => kind(c) === "IngressClass"), classes.filter((c) => kind(c) === "IngressClassParams"));
        const ingress = (annotations: Record<string, string>, spec: Record<string, unknown> = {}) => ({ metadata: { name: "i", namespace: "shop", annotations }, spec });
        expect(ingressLoadBalancer(ingress({ "alb.ingress.kubernetes.io/scheme": "internet-facing" }), catalogue, [])).toMatchObject({ className: "alb", scheme: "internal" });
        expect(ingressLoadBalancer(ingress({}, { ingressClassName: "alb-internet-facing" }), catalogue, [])).toMatchObject({ scheme: "internet-facing", because: "IngressClass alb-internet-facing pins scheme internet-facing" });
        const nginx = ingressClassCatalogue([{ metadata: { name: "nginx" }, spec: { controller: "k8s.io/ingress-nginx" } }], []);
        expect(ingressLoadBalancer(ingress({ "alb.ingress.kubernetes.io/scheme": "internet-facing" }, { ingressClassName: "nginx" }), nginx, [])).toBeUndefined();
    });

    it("an ACM certificate ARN, and nothing else, is a certificate", () => {
        expect(ACM_CERTIFICATE_ARN.test("arn:aws:acm:eu-central-1:444455556666:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")).toBe(true);
        expect(ACM_CERTIFICATE_ARN.test("arn:aws-us-gov:acm:us-gov-west-1:444455556666:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")).toBe(true);
        for (const bad of ["arn:aws:iam::444455556666:server-certificate/shop", "arn:aws:acm:eu-central-1:4444:certificate/x", "arn:aws:acm:eu-central-1:444455556666:certificate/0a1b2c3d"]) {
            expect(ACM_CERTIFICATE_ARN.test(bad), bad).toBe(false);
        }
    });
});

describe("k8s-internal-load-balancer at its edges", () => {
    const SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
    const ACM = "arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const TLS = { "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": ACM, "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "tls" };
    const internetFacingService = (metadata: Record<string, unknown>) =>
        k8s("core/v1:Service", {
            metadata: { ...metadata, annotations: { [SCHEME]: "internet-facing", ...TLS } },
            spec: { type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb", ports: [{ name: "tls", port: 443, targetPort: 8443, protocol: "TCP" }] },
        }, "public");

    it("judges a Service written without a namespace where it lands, in namespace default", () => {
        const service = internetFacingService({ name: "public" });
        expect(messagesOf([service]).mandatory).toEqual([
            `Service default/public is an internet-facing load balancer (annotation ${SCHEME}: internet-facing) in namespace default, which may not face the internet`,
        ]);
        expect(messagesOf([service], { [POLICY]: { internetFacingNamespaces: ["default"] } }).mandatory).toEqual([]);
    });

    it("names an object written with generateName alone (as `kubectl create` takes it) by its empty name, never a made-up one", () => {
        expect(messagesOf([internetFacingService({ generateName: "public-", namespace: "shop" })]).mandatory).toEqual([
            `Service shop/ is an internet-facing load balancer (annotation ${SCHEME}: internet-facing) in namespace shop, which may not face the internet`,
        ]);
    });

    it("takes an empty namespaceSelector of internet-facing IngressClassParams for what it is: every namespace of the cluster, also those outside the input", () => {
        // The controller turns the selector into a label selector; an empty one matches every namespace.
        for (const namespaceSelector of [{}, { matchLabels: {} }, { matchLabels: {}, matchExpressions: [] }]) {
            const params = k8s("elbv2.k8s.aws/v1beta1:IngressClassParams", { metadata: { name: "open" }, spec: { scheme: "internet-facing", namespaceSelector } });
            expect(messagesOf([params]).mandatory, JSON.stringify(namespaceSelector)).toEqual([
                "IngressClassParams open (scheme internet-facing) admits every namespace: its namespaceSelector must select only namespaces that may face the internet",
            ]);
        }
    });

    it("refuses knobs of the wrong shape, naming the policy and the key, rather than reading a string as a list of letters", () => {
        for (const knob of ["internetFacingNamespaces", "internetFacingIngressClasses"]) {
            expect(() => messagesOf([], { [POLICY]: { [knob]: "storefront" } })).toThrow(new RegExp(`${POLICY}.*${knob} must be array`));
            expect(() => messagesOf([], { [POLICY]: { [knob]: ["storefront", 42] } })).toThrow(new RegExp(`${POLICY}.*${knob}\\.1 must be string`));
        }
    });
});
