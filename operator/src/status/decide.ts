// Pure decisions: what phase a Character is in and which conditions say why, from what the
// operator observed of its Deployment, ReplicaSets, Pods and the registry.
import type { CharacterPhase, CharacterResourceStatus } from '@distributed-dungeon/contracts';
import { mergeConditions, type DesiredCondition } from './conditions.ts';

/**
 * The fixed set of condition types every Character carries (metav1.Condition conventions): each is
 * always present and turns True, False or Unknown with a CamelCase reason; what went wrong is the
 * reason, never a condition type of its own. Documented in operator/README.md.
 */
export const ConditionTypes = {
  /** The summary: True while the character runs (phase Running or Registered); reason = why not. */
  Ready: 'Ready',
  /** False when the operator refuses the Character: InvalidSpec, ImageNotAllowed, NamespaceNotOpen, CharacterIdTaken, ExternalUrlUnset. */
  Accepted: 'Accepted',
  /**
   * True while the character pod is available (the Deployment's own judgement, up to date); for
   * an external Character, while its own process is connected (registered and heartbeating).
   */
  Available: 'Available',
  /** True while the registry knows the character; False with reason Disconnected once its registration ended; Unknown when the registry cannot be asked. */
  Registered: 'Registered',
  /** True while something keeps an accepted Character from running: QuotaExceeded, ImagePullFailed, CrashLooping, OOMKilled, CredentialsPending. */
  Degraded: 'Degraded',
} as const;

export const CONDITION_ORDER: readonly string[] = Object.values(ConditionTypes);

/** The reasons of Accepted=False and Degraded=True, in the order they win when several hold. */
export const Reasons = {
  InvalidSpec: 'InvalidSpec',
  ImageNotAllowed: 'ImageNotAllowed',
  NamespaceNotOpen: 'NamespaceNotOpen',
  CharacterIdTaken: 'CharacterIdTaken',
  ExternalUrlUnset: 'ExternalUrlUnset',
  QuotaExceeded: 'QuotaExceeded',
  ImagePullFailed: 'ImagePullFailed',
  CrashLooping: 'CrashLooping',
  OOMKilled: 'OOMKilled',
  CredentialsPending: 'CredentialsPending',
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
  /** Registered once, then deregistered or expired (its heartbeats stopped); when it registered last. */
  | { state: 'disconnected'; registeredAt?: string; lastHeartbeatAt?: string }
  | { state: 'unknown'; message: string };

export interface Observation {
  deleting: boolean;
  suspend: boolean;
  /** spec.placement external: the player's process runs outside the cluster, no pod is made. */
  external?: boolean;
  /** The Character's creationTimestamp: a registration older than it belongs to an earlier Character of that name. */
  createdAt?: string;
  /**
   * Whether this Character's status ever said it registered (Registered=True, or already
   * Disconnected): a registration that ended before it ever did is an earlier Character's.
   */
  wasRegistered?: boolean;
  /** Set when the Character is external but the game master gave no external URL. */
  externalUrlUnset?: string;
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

interface Waiting {
  /** The kubelet's reason (CrashLoopBackOff, ErrImagePull, ...). */
  kubelet: string;
  /** How the previous run ended (OOMKilled, Error), when it did. */
  lastEnded?: string;
  message: string;
}

function waitingWith(pods: PodLike[], reasons: Set<string>): Waiting | undefined {
  for (const c of liveContainers(pods)) {
    const reason = c.state?.waiting?.reason;
    if (!reason || !reasons.has(reason)) continue;
    // Why the last run ended (OOMKilled, Error and its exit code) is what a player needs to know.
    const last = c.lastState?.terminated;
    const ended = last?.reason ? ` (last run ended: ${last.reason}${last.exitCode !== undefined ? `, exit code ${last.exitCode}` : ''})` : '';
    return { kubelet: reason, lastEnded: last?.reason, message: `${reason}: ${c.state?.waiting?.message ?? reason}${ended}` };
  }
  return undefined;
}

/** A ReplicaSet (or Deployment) that could not create its pod because of a ResourceQuota. */
function quotaFailure(observation: Pick<Observation, 'deployment' | 'replicaSets' | 'quotaError'>): string | undefined {
  if (observation.quotaError) return observation.quotaError;
  const conditions = [...observation.replicaSets.flatMap((rs) => rs.status?.conditions ?? []), ...(observation.deployment?.status?.conditions ?? [])];
  const hit = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True' && /exceeded quota|forbidden: exceeded/i.test(c.message ?? ''));
  return hit?.message;
}

function deploymentAvailable(d: DeploymentLike | undefined): boolean {
  if (!d?.status) return false;
  // Scaled to zero (suspended) is never available: right after the scale-down the controller has
  // observed the new generation but still counts the ReplicaSet's last (departing) pod.
  if (d.spec?.replicas === 0) return false;
  const current = (d.status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
  return current && (d.status.availableReplicas ?? 0) >= 1 && (d.status.updatedReplicas ?? 0) >= 1;
}

interface Problem {
  reason: string;
  message: string;
}

/** Why the operator refuses the Character (Accepted=False), if it does; the first check wins. */
function refusal(o: Observation): Problem | undefined {
  const checks: [string, string | undefined][] = [
    [Reasons.InvalidSpec, o.specError],
    [Reasons.ImageNotAllowed, o.imageNotAllowed],
    [Reasons.NamespaceNotOpen, o.namespaceNotOpen],
    [Reasons.CharacterIdTaken, o.idTaken],
    [Reasons.ExternalUrlUnset, o.externalUrlUnset],
  ];
  const hit = checks.find(([, message]) => message);
  return hit && { reason: hit[0], message: hit[1]! };
}

/** What keeps an accepted, running Character from working (Degraded=True), the weightiest first. */
function failures(o: Observation): Problem[] {
  if (o.credentialsPending) return [{ reason: Reasons.CredentialsPending, message: `waiting for the registry to issue an API key: ${o.credentialsPending}` }];
  const out: Problem[] = [];
  const quota = quotaFailure(o);
  if (quota) out.push({ reason: Reasons.QuotaExceeded, message: `the namespace quota does not leave room for this character: ${quota}` });
  const pull = waitingWith(o.pods, PULL_FAILURES);
  if (pull) out.push({ reason: Reasons.ImagePullFailed, message: `cannot pull the image: ${pull.message}` });
  const crash = waitingWith(o.pods, CRASH_FAILURES);
  if (crash) out.push({ reason: crash.lastEnded === 'OOMKilled' ? Reasons.OOMKilled : Reasons.CrashLooping, message: `the character container keeps failing: ${crash.message}` });
  return out;
}

const cond = (type: string, status: DesiredCondition['status'], reason: string, message: string): DesiredCondition => ({ type, status, reason, message });

/** The registry's view, with a registration from before this Character was made counted as none. */
function registryOf(o: Observation): RegistryView {
  const r = o.registry;
  if (r.state !== 'disconnected') return r;
  if (o.wasRegistered === false) return { state: 'unregistered' };
  if (!o.createdAt || !r.registeredAt) return r;
  return Date.parse(r.registeredAt) < Date.parse(o.createdAt) ? { state: 'unregistered' } : r;
}

function registeredCondition(registry: RegistryView): DesiredCondition {
  const T = ConditionTypes;
  switch (registry.state) {
    case 'registered':
      return cond(T.Registered, 'True', 'Registered', 'the registry knows this character');
    case 'unregistered':
      return cond(T.Registered, 'False', 'NotRegistered', 'the character has not registered yet');
    case 'disconnected':
      return cond(T.Registered, 'False', 'Disconnected', `the character's registration ended (it deregistered or its heartbeats stopped${registry.lastHeartbeatAt ? `; last heartbeat ${registry.lastHeartbeatAt}` : ''})`);
    default:
      return cond(T.Registered, 'Unknown', 'RegistryUnreachable', registry.message);
  }
}

/**
 * An external Character (spec.placement: external): no pod, so what it is comes from the registry
 * alone: Registered while its own process registered and heartbeats, Disconnected once it did and
 * stopped, Pending (AwaitingConnection) until it first connects.
 */
function decideExternal(o: Observation, registry: RegistryView): Decision {
  const T = ConditionTypes;
  const refused = refusal(o);
  const pending = !refused && o.credentialsPending;
  let phase: CharacterPhase;
  let reason: string;
  let message: string;
  if (refused) [phase, reason, message] = ['Failed', refused.reason, refused.message];
  else if (pending) [phase, reason, message] = ['Pending', Reasons.CredentialsPending, `waiting for the registry to issue an API key: ${o.credentialsPending}`];
  else if (registry.state === 'registered') [phase, reason, message] = ['Registered', 'Registered', 'the player\'s own process is connected and registered with the dungeon'];
  else if (registry.state === 'disconnected') [phase, reason, message] = ['Disconnected', 'Disconnected', 'the player\'s process registered, then stopped sending heartbeats (or deregistered); start it again with the connection bundle'];
  else if (registry.state === 'unknown') [phase, reason, message] = ['Pending', 'RegistryUnreachable', registry.message];
  else [phase, reason, message] = ['Pending', 'AwaitingConnection', 'waiting for the player\'s process: start it with the connection bundle in the credentials Secret (dungeon dev --bundle)'];
  const connected = registry.state === 'registered';
  const conditions: DesiredCondition[] = [
    cond(T.Ready, connected ? 'True' : 'False', reason, message),
    refused ? cond(T.Accepted, 'False', refused.reason, refused.message) : cond(T.Accepted, 'True', 'Accepted', 'the operator serves this external Character (no pod; the player runs it)'),
    connected
      ? cond(T.Available, 'True', 'Connected', 'the player\'s process is connected')
      : cond(T.Available, 'False', registry.state === 'disconnected' ? 'Disconnected' : 'NotConnected', 'the player\'s process is not connected'),
    registeredCondition(registry),
    pending
      ? cond(T.Degraded, 'True', Reasons.CredentialsPending, message)
      : refused
        ? cond(T.Degraded, 'False', 'NotAccepted', 'nothing runs while the Character is not accepted')
        : cond(T.Degraded, 'False', 'AsExpected', 'no failure observed'),
  ];
  return { phase, reason, message, conditions };
}

export function decide(o: Observation): Decision {
  if (o.deleting) {
    // Only Ready is re-judged: the others keep what was last observed (nextStatus carries them).
    const message = 'revoking credentials and removing the character';
    return { phase: 'Terminating', reason: 'Deleting', message, conditions: [cond(ConditionTypes.Ready, 'False', 'Deleting', message)] };
  }
  const registry = registryOf(o);
  if (o.external) return decideExternal(o, registry);
  const refused = refusal(o);
  const failing = refused || o.suspend ? [] : failures(o);
  const available = deploymentAvailable(o.deployment);
  const registered = registry.state === 'registered';

  let phase: CharacterPhase;
  let reason: string;
  let message: string;
  const top = failing[0];
  if (refused) [phase, reason, message] = ['Failed', refused.reason, refused.message];
  else if (o.suspend) [phase, reason, message] = ['Suspended', 'Suspended', 'scaled to zero; set spec.suspend to false to resume'];
  else if (top) [phase, reason, message] = [top.reason === Reasons.CredentialsPending ? 'Pending' : 'Degraded', top.reason, top.message];
  else if (available && registered) [phase, reason, message] = ['Registered', 'Registered', 'running and registered with the dungeon'];
  else if (available) [phase, reason, message] = ['Running', 'Running', 'the character container is running; waiting for it to register'];
  else [phase, reason, message] = ['Provisioning', 'Provisioning', 'waiting for the character pod to become available'];

  const T = ConditionTypes;
  const conditions: DesiredCondition[] = [
    cond(T.Ready, phase === 'Running' || phase === 'Registered' ? 'True' : 'False', reason, message),
    refused ? cond(T.Accepted, 'False', refused.reason, refused.message) : cond(T.Accepted, 'True', 'Accepted', 'the operator runs this Character'),
    available
      ? cond(T.Available, 'True', 'MinimumReplicasAvailable', 'the character pod is available')
      : o.suspend
        ? cond(T.Available, 'False', 'Suspended', 'scaled to zero')
        : cond(T.Available, 'False', 'NoAvailablePod', 'no character pod is available yet'),
    registeredCondition(registry),
    top
      ? cond(T.Degraded, 'True', top.reason, failing.map((f) => f.message).join('; '))
      : refused
        ? cond(T.Degraded, 'False', 'NotAccepted', 'nothing runs while the Character is not accepted')
        : o.suspend
          ? cond(T.Degraded, 'False', 'Suspended', 'nothing runs while suspended')
          : cond(T.Degraded, 'False', 'AsExpected', 'no failure observed'),
  ];
  return { phase, reason, message, conditions };
}

interface StatusFacts {
  characterId?: string;
  endpoint?: string;
  sessionId?: string;
}

export function nextStatus(previous: CharacterResourceStatus | undefined, decision: Decision, facts: StatusFacts, generation: number, now: Date): CharacterResourceStatus {
  const status: CharacterResourceStatus = {
    phase: decision.phase,
    observedGeneration: generation,
    conditions: mergeConditions(previous?.conditions, decision.conditions, CONDITION_ORDER, generation, now),
  };
  if (facts.characterId) status.characterId = facts.characterId;
  if (facts.endpoint) status.endpoint = facts.endpoint;
  const sessionId = facts.sessionId ?? previous?.sessionId;
  if (sessionId) status.sessionId = sessionId;
  return status;
}


/** Whether a Character's status says it registered at some point of its life (Observation.wasRegistered). */
export function everRegistered(status: CharacterResourceStatus | undefined): boolean {
  if (status?.phase === 'Registered' || status?.phase === 'Disconnected') return true;
  const registered = status?.conditions?.find((c) => c.type === ConditionTypes.Registered);
  return registered?.status === 'True' || registered?.reason === 'Disconnected';
}
