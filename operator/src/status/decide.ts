// Pure decisions: what phase a Character is in and which conditions say why, from what the
// operator observed of its Deployment, ReplicaSets, Pods and the registry.
import type { CharacterPhase, CharacterResourceStatus } from '@distributed-dungeon/contracts';
import { mergeConditions, type DesiredCondition } from './conditions.ts';

export const ConditionTypes = {
  Ready: 'Ready',
  Available: 'Available',
  Registered: 'Registered',
  InvalidSpec: 'InvalidSpec',
  ImageNotAllowed: 'ImageNotAllowed',
  QuotaExceeded: 'QuotaExceeded',
  ImagePullFailed: 'ImagePullFailed',
  CredentialsPending: 'CredentialsPending',
  CrashLooping: 'CrashLooping',
  Suspended: 'Suspended',
  CharacterIdTaken: 'CharacterIdTaken',
  NamespaceNotOpen: 'NamespaceNotOpen',
} as const;

export interface KubeCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentLike {
  metadata?: { generation?: number };
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: KubeCondition[];
  };
}

export interface ReplicaSetLike {
  status?: { conditions?: KubeCondition[] };
}

interface ContainerState {
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
  running?: unknown;
}

export interface PodLike {
  metadata?: { name?: string; deletionTimestamp?: unknown };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: { name?: string; ready?: boolean; restartCount?: number; state?: ContainerState; lastState?: ContainerState }[];
    conditions?: KubeCondition[];
  };
}

export type RegistryView =
  | { state: 'registered'; sessionId?: string }
  | { state: 'unregistered' }
  | { state: 'unknown'; message: string };

export interface Observation {
  deleting: boolean;
  suspend: boolean;
  /** Set when the spec fails the operator's own checks (e.g. config too large). */
  specError?: string;
  /** Set when the image is outside the allowed registries. */
  imageNotAllowed?: string;
  /** Set when the character id is held by another Character (another UID): its key is not ours to replace. */
  idTaken?: string;
  /** Set when the Character's namespace is not one the game master opened to players. */
  namespaceNotOpen?: string;
  /** Set while no API key could be minted. */
  credentialsPending?: string;
  /** Set when creating a child was refused by a ResourceQuota. */
  quotaError?: string;
  deployment?: DeploymentLike;
  replicaSets: ReplicaSetLike[];
  pods: PodLike[];
  registry: RegistryView;
}

export interface Decision {
  phase: CharacterPhase;
  reason: string;
  message: string;
  conditions: DesiredCondition[];
}

const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'RegistryUnavailable']);
const CRASH_FAILURES = new Set(['CrashLoopBackOff', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

function liveContainers(pods: PodLike[]) {
  return pods.filter((p) => !p.metadata?.deletionTimestamp).flatMap((p) => p.status?.containerStatuses ?? []);
}

function waitingWith(pods: PodLike[], reasons: Set<string>): { reason: string; message: string } | undefined {
  for (const c of liveContainers(pods)) {
    const reason = c.state?.waiting?.reason;
    if (!reason || !reasons.has(reason)) continue;
    // Why the last run ended (OOMKilled, Error and its exit code) is what a player needs to know.
    const last = c.lastState?.terminated;
    const ended = last?.reason ? ` (last run ended: ${last.reason}${last.exitCode !== undefined ? `, exit code ${last.exitCode}` : ''})` : '';
    return { reason, message: `${c.state?.waiting?.message ?? reason}${ended}` };
  }
  return undefined;
}

/** A ReplicaSet (or Deployment) that could not create its pod because of a ResourceQuota. */
export function quotaFailure(observation: Pick<Observation, 'deployment' | 'replicaSets' | 'quotaError'>): string | undefined {
  if (observation.quotaError) return observation.quotaError;
  const conditions = [...observation.replicaSets.flatMap((rs) => rs.status?.conditions ?? []), ...(observation.deployment?.status?.conditions ?? [])];
  const hit = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True' && /exceeded quota|forbidden: exceeded/i.test(c.message ?? ''));
  return hit?.message;
}

function deploymentAvailable(d: DeploymentLike | undefined): boolean {
  if (!d?.status) return false;
  const current = (d.status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  return current && (d.status.availableReplicas ?? 0) >= 1 && (d.status.updatedReplicas ?? 0) >= 1;
}

export function decide(o: Observation): Decision {
  const problems: DesiredCondition[] = [];
  const problem = (type: string, reason: string, message: string) => problems.push({ type, status: 'True', reason, message });

  let phase: CharacterPhase = 'Provisioning';
  let reason = 'Provisioning';
  let message = 'waiting for the character pod to become available';
  const available = deploymentAvailable(o.deployment);
  const registered = o.registry.state === 'registered';

  if (o.deleting) {
    phase = 'Terminating';
    reason = 'Deleting';
    message = 'revoking credentials and removing the character';
  } else if (o.specError) {
    problem(ConditionTypes.InvalidSpec, 'InvalidSpec', o.specError);
    [phase, reason, message] = ['Failed', 'InvalidSpec', o.specError];
  } else if (o.imageNotAllowed) {
    problem(ConditionTypes.ImageNotAllowed, 'ImageNotAllowed', o.imageNotAllowed);
    [phase, reason, message] = ['Failed', 'ImageNotAllowed', o.imageNotAllowed];
  } else if (o.namespaceNotOpen) {
    problem(ConditionTypes.NamespaceNotOpen, 'NamespaceNotOpen', o.namespaceNotOpen);
    [phase, reason, message] = ['Failed', 'NamespaceNotOpen', o.namespaceNotOpen];
  } else if (o.idTaken) {
    problem(ConditionTypes.CharacterIdTaken, 'CharacterIdTaken', o.idTaken);
    [phase, reason, message] = ['Failed', 'CharacterIdTaken', o.idTaken];
  } else if (o.suspend) {
    problem(ConditionTypes.Suspended, 'Suspended', 'spec.suspend is true: the workload is scaled to zero and the volume is kept');
    [phase, reason, message] = ['Suspended', 'Suspended', 'scaled to zero; set spec.suspend to false to resume'];
  } else if (o.credentialsPending) {
    const text = `waiting for the registry to issue an API key: ${o.credentialsPending}`;
    problem(ConditionTypes.CredentialsPending, 'RegistryUnavailable', text);
    [phase, reason, message] = ['Pending', 'CredentialsPending', text];
  } else {
    const quota = quotaFailure(o);
    const pull = waitingWith(o.pods, PULL_FAILURES);
    const crash = waitingWith(o.pods, CRASH_FAILURES);
    if (quota) {
      const text = `the namespace quota does not leave room for this character: ${quota}`;
      problem(ConditionTypes.QuotaExceeded, 'ExceededQuota', text);
      [phase, reason, message] = ['Degraded', 'QuotaExceeded', text];
    }
    if (pull) {
      const text = `cannot pull the image: ${pull.message}`;
      problem(ConditionTypes.ImagePullFailed, pull.reason, text);
      if (!quota) [phase, reason, message] = ['Degraded', 'ImagePullFailed', text];
    }
    if (crash) {
      const text = `the character container keeps failing: ${crash.message}`;
      problem(ConditionTypes.CrashLooping, crash.reason, text);
      if (!quota && !pull) [phase, reason, message] = ['Degraded', 'CrashLooping', text];
    }
    if (!quota && !pull && !crash) {
      if (available && registered) [phase, reason, message] = ['Registered', 'Registered', 'running and registered with the dungeon'];
      else if (available) [phase, reason, message] = ['Running', 'Running', 'the character container is running; waiting for it to register'];
    }
  }

  const ready = phase === 'Running' || phase === 'Registered';
  const conditions: DesiredCondition[] = [
    { type: ConditionTypes.Ready, status: ready ? 'True' : 'False', reason, message },
    available
      ? { type: ConditionTypes.Available, status: 'True', reason: 'MinimumReplicasAvailable', message: 'the character pod is available' }
      : { type: ConditionTypes.Available, status: 'False', reason: o.suspend ? 'Suspended' : 'NoAvailablePod', message: o.suspend ? 'scaled to zero' : 'no character pod is available yet' },
    o.registry.state === 'registered'
      ? { type: ConditionTypes.Registered, status: 'True', reason: 'Registered', message: 'the registry knows this character' }
      : o.registry.state === 'unregistered'
        ? { type: ConditionTypes.Registered, status: 'False', reason: 'NotRegistered', message: 'the character has not registered yet' }
        : { type: ConditionTypes.Registered, status: 'Unknown', reason: 'RegistryUnreachable', message: o.registry.message },
    ...problems,
  ];
  return { phase, reason, message, conditions };
}

export interface StatusFacts {
  characterId?: string;
  endpoint?: string;
  sessionId?: string;
}

export function nextStatus(previous: CharacterResourceStatus | undefined, decision: Decision, facts: StatusFacts, generation: number, now: Date): CharacterResourceStatus {
  const status: CharacterResourceStatus = {
    phase: decision.phase,
    observedGeneration: generation,
    conditions: mergeConditions(previous?.conditions, decision.conditions, generation, now),
  };
  if (facts.characterId) status.characterId = facts.characterId;
  if (facts.endpoint) status.endpoint = facts.endpoint;
  const sessionId = facts.sessionId ?? previous?.sessionId;
  if (sessionId) status.sessionId = sessionId;
  return status;
}

export interface Transition {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

const WARNING_PHASES = new Set<CharacterPhase>(['Failed', 'Degraded']);

/** The Kubernetes Events to record for a status change: one per phase change and per condition flip. */
export function transitions(previous: CharacterResourceStatus | undefined, next: CharacterResourceStatus, decision: Decision): Transition[] {
  const out: Transition[] = [];
  if (previous?.phase !== next.phase) {
    out.push({ type: WARNING_PHASES.has(decision.phase) ? 'Warning' : 'Normal', reason: decision.reason, message: `phase ${previous?.phase ?? '(none)'} → ${next.phase}: ${decision.message}` });
  }
  const before = new Map((previous?.conditions ?? []).map((c) => [c.type, c]));
  for (const c of next.conditions ?? []) {
    if (c.type === ConditionTypes.Ready) continue; // Ready mirrors the phase, already reported
    const old = before.get(c.type);
    if (old?.status === c.status) continue;
    const isProblem = !['Available', 'Registered'].includes(c.type);
    out.push({ type: isProblem && c.status === 'True' ? 'Warning' : 'Normal', reason: c.reason, message: `${c.type}=${c.status}: ${c.message}` });
  }
  return out;
}
