// Loading what a page shows from the API: the data, the error in words, and a reload. A 401 means the session ended
// (expired, signed out elsewhere): the page hands it to the app, which shows the login page.
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, callApi } from './api.js';

export interface ApiData<T> {
  data: T | null;
  error: string | null;
  reload: () => Promise<void>;
}

/** GETs `path` (re-fetched when it changes) and keeps the last good answer while a reload runs. */
export function useApiData<T>(path: string, onSessionLost: () => void): ApiData<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = async () => {
    try {
      setData(await callApi<T>('GET', path));
      setError(null);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.status === 401) return onSessionLost();
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  useEffect(() => void reload(), [path]);
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
