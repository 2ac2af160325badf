// X-Request-ID values the gateway and the control plane keep from a caller (anything else gets a fresh UUID);
// the request id travels in every request-log entry a gateway ships.
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
