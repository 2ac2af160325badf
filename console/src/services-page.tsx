// Services: list, create, edit, delete (name and upstream URL as fields, the rest in the advanced JSON).
import type { EntityItem } from './entity-form.js';
import { EntityPage, type EntityPageSpec, type FieldsProps } from './entity-page.js';
import { JsonField, TextField } from './form-fields.js';
import type { SignedInPageProps } from './pages.js';
import { EMPTY_SERVICE_FORM, serviceBodyOf, serviceErrorRouting, serviceFormOf, upstreamOf, type ServiceForm } from './service-form.js';

function ServiceFields({ form, update, errors, idOf }: FieldsProps<ServiceForm>) {
  return (
    <>
      <TextField id={idOf('name')} label="Name" value={form.name} onInput={(name) => update({ name })} error={errors.name} hint="Letters, digits, dots, dashes" />
      <TextField
        id={idOf('url')}
        label="Upstream URL"
        value={form.url}
        onInput={(url) => update({ url })}
        error={errors.url}
        hint="For example http://orders.internal:8080 (leave empty when the advanced JSON lists targets)"
      />
      <JsonField
        id={idOf('advanced')}
        label="Advanced (JSON)"
        value={form.advanced}
        onInput={(advanced) => update({ advanced })}
        error={errors.advanced}
        hint='The service&apos;s other fields as one JSON object, e.g. {"timeoutMs": 5000, "retries": 2} or {"targets": [{"url": "http://a:80", "weight": 1}]}'
      />
    </>
  );
}

const SERVICES: EntityPageSpec<EntityItem, ServiceForm> = {
  kind: 'service',
  plural: 'services',
  title: 'Services',
  nameOf: (service) => String(service.name),
  columns: [
    { header: 'Name', cell: (service) => String(service.name) },
    { header: 'Upstream', cell: upstreamOf },
  ],
  emptyForm: EMPTY_SERVICE_FORM,
  formOf: serviceFormOf,
  bodyOf: serviceBodyOf,
  errorRouting: serviceErrorRouting,
  fieldOrder: ['name', 'url', 'advanced'],
  Fields: ServiceFields,
};

export function ServicesPage(props: SignedInPageProps) {
  return <EntityPage {...props} spec={SERVICES} />;
}
