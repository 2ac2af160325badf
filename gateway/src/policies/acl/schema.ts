// `acl` on a route ({allow: [groups]} or {deny: [groups]}) and `groups` on a consumer (DESIGN §10).
import { z } from 'zod';
import { ENTITY_NAME_PATTERN } from '../schema-patterns.js';

export const MAX_GROUPS = 64;

const groupName = z.string().regex(ENTITY_NAME_PATTERN, {
  message: "must be 1-128 characters of letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
});

export const consumerGroupsSchema = z.array(groupName).max(MAX_GROUPS);

export const aclSchema = z
  .strictObject({
    allow: z.array(groupName).min(1).max(MAX_GROUPS).optional(),
    deny: z.array(groupName).min(1).max(MAX_GROUPS).optional(),
  })
  .refine((acl) => (acl.allow === undefined) !== (acl.deny === undefined), { message: 'needs exactly one of allow and deny' });

export type AclConfig = z.infer<typeof aclSchema>;
