// Loading what a page shows from the API: the data, the error in words, and a reload. A 401 means the session ended
// (expired, signed out elsewhere): the page hands it to the app, which shows the login page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, callApi } from './api.js';

export interface ApiData<T> {
  data: T | null;
  error: string | null;
  reload: () => Promise<void>;
}

/**
 * GETs `path` (re-fetched when it changes) and keeps the last good answer while a reload runs. Only the newest
 * request's answer is taken: one for a path the page has left, or overtaken by a later reload, is dropped.
 */
export function useApiData<T>(path: string, onSessionLost: () => void): ApiData<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);
  const reload = async () => {
    const request = ++latest.current;
    try {
      const answer = await callApi<T>('GET', path);
      if (request !== latest.current) return;
      setData(answer);
      setError(null);
    } catch (failure) {
      if (request !== latest.current) return;
      if (failure instanceof ApiFailure && failure.status === 401) return onSessionLost();
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  useEffect(() => {
    void reload();
    // Leaving the path (or the page) makes any answer still on its way stale.
    return () => void ++latest.current;
  }, [path]);
  return { data, error, reload };
}

/** A failure's words for a status line; a 401 ends the session instead. */
export function failureMessage(failure: unknown, onSessionLost: () => void): string | null {
  if (failure instanceof ApiFailure && failure.status === 401) {
    onSessionLost();
    return null;
  }
  return failure instanceof Error ? failure.message : String(failure);
}
