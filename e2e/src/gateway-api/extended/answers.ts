// Request checks the Core ones have no shape for: answers the gateway gives itself (a CORS preflight's 204 has no
// echo body) or facts compareRoundTrip does not read (the protocol the backend saw). Like expectResponse, a check
// needs `consecutiveSuccesses` matching answers in a row before its deadline, else it throws Unmet with the last.
import { eventually, type CheckContext } from '../expectations.js';
import { roundTrip, type CapturedRoundTrip, type RequestSpec } from '../round-trip.js';

/** null when the answer is what the check wants, else what differs. */
export type AnswerJudge = (captured: CapturedRoundTrip) => string | null;

export async function expectAnswer(context: CheckContext, gatewayAddress: string, request: RequestSpec, what: string, judge: AnswerJudge): Promise<CapturedRoundTrip> {
  let streak = 0;
  const name = `${request.method ?? 'GET'} ${request.host ?? ''}${request.path}`;
  return eventually(context, `request ${name}: ${what} (${context.consecutiveSuccesses} times in a row)`, async () => {
    const captured = await roundTrip(gatewayAddress, request, undefined, Math.max(1_000, Math.min(10_000, context.deadline - Date.now())));
    const mismatch = judge(captured);
    if (mismatch !== null) {
      streak = 0;
      return { ok: false, seen: mismatch };
    }
    streak++;
    return streak >= context.consecutiveSuccesses ? { ok: true, value: captured } : { ok: false, seen: `${streak} matching answer(s) in a row` };
  });
}

/** A judge of the status and, per response header, its exact value (lower-case names) or its absence (null). */
export function statusAndHeaders(status: number, headers: Readonly<Record<string, string | null>>): AnswerJudge {
  return (captured) => {
    if (captured.statusCode !== status) return `expected status ${status}, got ${captured.statusCode}`;
    for (const [name, want] of Object.entries(headers)) {
      const got = captured.headers[name.toLowerCase()];
      if (want === null && got !== undefined) return `expected no ${name}, got ${got.join(',')}`;
      if (want !== null && got?.join(',') !== want) return `expected ${name}: ${want}, got ${got === undefined ? 'none' : got.join(',')}`;
    }
    return null;
  };
}
