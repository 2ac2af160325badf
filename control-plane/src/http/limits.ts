// Request body limits: 1 MiB for every JSON body, 16 MiB for a whole declarative config (PUT /config).
export const BODY_LIMIT = 1024 * 1024;
export const CONFIG_BODY_LIMIT = 16 * 1024 * 1024;
