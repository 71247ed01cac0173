// Wire types come from the contracts package as types only: no schema code reaches the bundle.
import type {
  CharacterGameView,
  CharacterInventory,
  ContainerComponent,
  EncounterView,
  EventEnvelope,
  InventoryStack,
  PartyMember,
  RoomView,
  SessionRecord,
} from '@distributed-dungeon/contracts';

export type { CharacterGameView, CharacterInventory, ContainerComponent, EncounterView, EventEnvelope, InventoryStack, PartyMember, RoomView, SessionRecord };

export interface HumanSession {
  kind: 'game_master' | 'player';
  characterId: string | null;
  csrfToken: string;
  expiresAt: string;
}

/** The whole session as a game master sees it (`GET /api/sessions/{id}/state` as admin). */
export interface SessionView {
  sessionId: string;
  worldId: string;
  version: number;
  status: 'active' | 'ended';
  outcome: 'victory' | 'defeat' | 'closed' | null;
  party: PartyMember[];
  rooms: RoomView[];
  combats: EncounterView[];
}

/** `GET /api/humans/my/character`. */
export interface MyCharacter {
  characterId: string;
  sessionId: string | null;
  view: CharacterGameView | null;
  containers: ContainerComponent[];
  inventory: CharacterInventory | null;
  /** The player holds manual control: the character's own module is paused. */
  manual?: boolean;
  /** What the operator reports of the Character (null before its first report). */
  platform?: PlatformStatus | null;
}

export interface PlatformStatus {
  namespace: string;
  name: string;
  phase: string;
  ready: boolean;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  reportedAt: string;
}

export interface OpenContainer {
  containerId: string;
  mutationToken: string;
  expiresAt: string;
}
