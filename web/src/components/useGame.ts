import { useCallback, useEffect, useReducer, useRef } from 'react';
import { useLive } from '../live.ts';
import { initialState, reducer, type Action, type GameState } from '../state/reducer.ts';

/**
 * A page's game state: one reducer fed by the snapshot loader and the live events. A resync
 * (after a reconnect, a gap in versions or a structural event) loads the snapshot again, at most
 * one at a time and a few per second.
 */
export function useGame(wsPath: string | null, loadSnapshot: () => Promise<Action>): [GameState, (a: Action) => void, string | null] {
  const [state, dispatch] = useReducer(reducer, initialState);
  const loading = useRef(false);
  const again = useRef(false);
  const error = useRef<string | null>(null);
  const loader = useRef(loadSnapshot);
  loader.current = loadSnapshot;

  const resync = useCallback(() => {
    if (loading.current) {
      again.current = true;
      return;
    }
    loading.current = true;
    loader.current().then(
      (a) => {
        error.current = null;
        dispatch(a);
      },
      (err: unknown) => {
        error.current = err instanceof Error ? err.message : String(err);
        dispatch({ type: 'refused', text: error.current });
      },
    ).finally(() => {
      loading.current = false;
      if (again.current) {
        again.current = false;
        setTimeout(resync, 250);
      }
    });
  }, []);

  useEffect(resync, [resync, wsPath]);
  useEffect(() => {
    if (!state.needsResync) return;
    const t = setTimeout(resync, 200);
    return () => clearTimeout(t);
  }, [state.needsResync, state.version, resync]);

  useLive(wsPath, {
    onEvents: (events) => dispatch({ type: 'events', events }),
    onStatus: (status) => dispatch({ type: 'connection', status }),
    onConnected: resync,
  });
  return [state, dispatch, error.current];
}
