export { startOperator, type Operator, type OperatorOptions } from './controller/operator.ts';
export { parseOperatorEnv, type OperatorConfig } from './config.ts';
export { parsePolicy, loadPolicyFile, PolicySchema, type Policy, type PolicyInput } from './policy.ts';
export { buildCharacterCrd, renderCharacterCrdYaml, CRD_FILE } from './crd/generate.ts';
export { KubeClient, KubeError } from './kube/client.ts';
export * from './builders/index.ts';
export { FIELD_MANAGER, FINALIZER, names, characterLabels, selectorLabels } from './names.ts';
export { decide, nextStatus, transitions, ConditionTypes } from './status/decide.ts';
export { statusChanged } from './status/conditions.ts';
