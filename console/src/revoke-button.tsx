// A revoke with a confirm step: the first press asks (in words, focus on the confirming button), the second revokes.
// Escape or "Keep it" goes back without revoking.
import { useEffect, useRef, useState } from 'preact/hooks';

export function RevokeButton({ what, consequence, onRevoke }: { what: string; consequence: string; onRevoke: () => Promise<void> }) {
  const [step, setStep] = useState<'idle' | 'confirming' | 'revoking'>('idle');
  const confirmRef = useRef<HTMLButtonElement>(null);
  const startRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  useEffect(() => {
    if (step === 'confirming') confirmRef.current?.focus();
    else if (step === 'idle' && wasConfirming.current) startRef.current?.focus();
    wasConfirming.current = step === 'confirming';
  }, [step]);

  if (step === 'idle') {
    return (
      <button ref={startRef} type="button" class="secondary small" onClick={() => setStep('confirming')}>
        Revoke<span class="visually-hidden"> {what}</span>
      </button>
    );
  }
  const revoke = async () => {
    setStep('revoking');
    try {
      await onRevoke();
    } finally {
      setStep('idle');
    }
  };
  return (
    <div class="confirm-revoke" role="group" aria-label={`Revoke ${what}?`} onKeyDown={(e) => e.key === 'Escape' && setStep('idle')}>
      <p>
        Revoke {what}? {consequence}
      </p>
      <div class="actions">
        <button ref={confirmRef} type="button" class="danger small" disabled={step === 'revoking'} onClick={() => void revoke()}>
          {step === 'revoking' ? 'Revoking…' : `Yes, revoke ${what}`}
        </button>
        <button type="button" class="secondary small" disabled={step === 'revoking'} onClick={() => setStep('idle')}>
          Keep it
        </button>
      </div>
    </div>
  );
}
