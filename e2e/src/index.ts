// End-to-end helpers shared by the e2e suites and `make demo`.
export * from './local-platform.ts';
export * from './adventure.ts';
export { localPod, namespaceData, ServiceMap, type DeploymentObject, type LocalPod, type NamespaceData } from './pod.ts';
export * from './kind/environment.ts';
export * from './kind/cluster-flow.ts';
export { startNodePlatform, type NodePlatform } from './node/node-platform.ts';
export { playOnNode } from './node/play.ts';
export { launchChromium, CHROMIUM } from './browser/chromium.ts';
