import { api } from '../api.ts';
import type { MyCharacter } from '../types.ts';
import { CharacterSheet } from './CharacterSheet.tsx';
import { CombatLog } from './CombatLog.tsx';
import { Containers } from './Containers.tsx';
import { DungeonMap } from './DungeonMap.tsx';
import { ManualControl } from './ManualControl.tsx';
import { TurnTimer } from './TurnTimer.tsx';
import { useGame } from './useGame.ts';

/** The player's page: the character sheet, its room's containers, the room and the log, live. */
export function PlayerPage({ characterId }: { characterId: string }) {
  const [state, dispatch] = useGame('/ws', async () => ({ type: 'playerSnapshot', data: await api<MyCharacter>('GET', '/api/humans/my/character') }));
  const view = state.me;
  return (
    <div className="player" data-events-applied={state.applied}>
      <h1>
        {view?.me.name ?? characterId} <span className={`badge ${state.connection}`}>{state.connection}</span>
      </h1>
      {state.notice && (
        <p role={state.notice.tone === 'error' ? 'alert' : 'status'} className={`notice ${state.notice.tone}`}>
          {state.notice.text}{' '}
          <button type="button" className="link" onClick={() => dispatch({ type: 'dismiss' })}>
            Dismiss
          </button>
        </p>
      )}
      {!state.loaded ? (
        <p aria-busy="true">Loading your character…</p>
      ) : !view ? (
        <p>Your character is not in a session yet; this page updates once it registers.</p>
      ) : (
        <div className="columns">
          <div>
            <CharacterSheet view={view} inventory={state.inventory} platform={state.platform} />
            <TurnTimer turn={state.turn} names={state.names} />
            <ManualControl view={view} manual={state.manual} dispatch={dispatch} />
          </div>
          <div>
            <Containers state={state} dispatch={dispatch} />
            <DungeonMap rooms={[view.room]} party={view.party} highlight={view.room.id} />
            <CombatLog log={state.log} />
          </div>
        </div>
      )}
    </div>
  );
}
