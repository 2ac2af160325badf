// Consumers: list, create, edit, delete. Username, JWT subject, JWT provider and groups as fields; rate limit,
// basic-auth credentials and the rest in the advanced JSON. Keys are the keys page's (never shown here).
import { CONSUMER_FORM_KEYS, consumerBodyOf, consumerErrorRouting, consumerFormOf, EMPTY_CONSUMER_FORM, withStoredKeys, type ConsumerForm } from './consumer-form.js';
import type { EntityItem } from './entity-form.js';
import { EntityPage, type EntityPageSpec, type FieldsProps } from './entity-page.js';
import { JsonField, TextAreaField, TextField } from './form-fields.js';
import type { SignedInPageProps } from './pages.js';

function ConsumerFields({ form, update, errors, idOf }: FieldsProps<ConsumerForm>) {
  return (
    <>
      <TextField id={idOf('username')} label="Username" value={form.username} onInput={(username) => update({ username })} error={errors.username} hint="Sent upstream in X-Consumer-Username" />
      <TextField id={idOf('jwtSubject')} label="JWT subject" value={form.jwtSubject} onInput={(jwtSubject) => update({ jwtSubject })} error={errors.jwtSubject} hint="The sub claim of the tokens that name this consumer (optional)" />
      <TextField id={idOf('jwtProvider')} label="JWT provider" value={form.jwtProvider} onInput={(jwtProvider) => update({ jwtProvider })} error={errors.jwtProvider} hint="The provider of a route's jwt.providers that issues them; empty: HS256 tokens" />
      <TextAreaField id={idOf('groups')} label="Groups" value={form.groups} onInput={(groups) => update({ groups })} error={errors.groups} hint="One per line: the groups a route's acl allows or denies" />
      <JsonField
        id={idOf('advanced')}
        label="Advanced (JSON)"
        value={form.advanced}
        onInput={(advanced) => update({ advanced })}
        error={errors.advanced}
        hint='The consumer&apos;s other fields as one JSON object, e.g. {"rateLimit": {"limit": 120, "windowSeconds": 60}}. API keys are made on the Keys page.'
      />
    </>
  );
}

const listText = (values: unknown) => (Array.isArray(values) && values.length > 0 ? values.join(', ') : '');

const CONSUMERS: EntityPageSpec<EntityItem, ConsumerForm> = {
  kind: 'consumer',
  plural: 'consumers',
  title: 'Consumers',
  nameOf: (consumer) => String(consumer.username),
  columns: [
    { header: 'Username', cell: (consumer) => String(consumer.username) },
    { header: 'JWT subject', cell: (consumer) => (typeof consumer.jwtSubject === 'string' ? consumer.jwtSubject : '') },
    { header: 'Groups', cell: (consumer) => listText(consumer.groups) },
    { header: 'API keys', cell: (consumer) => String(Array.isArray(consumer.apiKeyHashes) ? consumer.apiKeyHashes.length : 0) },
  ],
  emptyForm: EMPTY_CONSUMER_FORM,
  formOf: consumerFormOf,
  bodyOf: consumerBodyOf,
  errorRouting: consumerErrorRouting,
  fieldOrder: [...CONSUMER_FORM_KEYS, 'advanced'],
  Fields: ConsumerFields,
  beforeUpdate: withStoredKeys,
};

export function ConsumersPage(props: SignedInPageProps) {
  return <EntityPage {...props} spec={CONSUMERS} />;
}
