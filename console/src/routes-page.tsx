// Routes: list, create, edit, delete. Name, service (from the tenant's services), paths, methods, hosts, auth and
// stripPrefix as fields; every other route field in the advanced JSON.
import type { EntityItem } from './entity-form.js';
import { EntityPage, type EntityPageSpec, type FieldsProps } from './entity-page.js';
import { CheckboxField, CheckboxGroup, JsonField, SelectField, TextAreaField, TextField } from './form-fields.js';
import type { SignedInPageProps } from './pages.js';
import { AUTH_KINDS, EMPTY_ROUTE_FORM, HTTP_METHODS, pathLine, routeBodyOf, routeErrorRouting, routeFormOf, type RouteForm } from './route-form.js';
import { useApiData } from './use-api-data.js';

function RouteFields({ form, update, errors, idOf, session, onSessionLost }: FieldsProps<RouteForm>) {
  const services = useApiData<{ data: { name: string }[] }>(`/tenants/${session.tenantId}/services`, onSessionLost);
  const names = (services.data?.data ?? []).map((service) => service.name);
  // A route being edited keeps its service even if the list has not loaded it (or it is gone).
  if (form.service !== '' && !names.includes(form.service)) names.unshift(form.service);
  return (
    <>
      <TextField id={idOf('name')} label="Name" value={form.name} onInput={(name) => update({ name })} error={errors.name} hint="Letters, digits, dots, dashes" />
      <SelectField
        id={idOf('service')}
        label="Service"
        value={form.service}
        onChange={(service) => update({ service })}
        error={errors.service}
        hint={services.error === null ? 'Where the route sends requests' : `The services could not be loaded: ${services.error}`}
        options={[{ value: '', label: 'None (backends or redirect in the advanced JSON)' }, ...names.map((name) => ({ value: name, label: name }))]}
      />
      <TextAreaField
        id={idOf('paths')}
        label="Paths"
        value={form.paths}
        onInput={(paths) => update({ paths })}
        error={errors.paths}
        hint='One per line: /orders, /users/:id, /static/*; a typed path as JSON on its line, e.g. {"type": "RegularExpression", "value": "/v[0-9]+/.*"}'
      />
      <CheckboxGroup
        id={idOf('methods')}
        label="Methods"
        values={form.methods}
        options={HTTP_METHODS}
        onChange={(methods) => update({ methods })}
        error={errors.methods}
        hint="None checked: every method"
      />
      <TextAreaField id={idOf('hosts')} label="Hosts" value={form.hosts} onInput={(hosts) => update({ hosts })} error={errors.hosts} hint="One per line (api.example.com, *.example.com); empty: any host" />
      <SelectField
        id={idOf('auth')}
        label="Authentication"
        value={form.auth}
        onChange={(auth) => update({ auth })}
        error={errors.auth}
        options={AUTH_KINDS.map((kind) => ({ value: kind, label: kind }))}
      />
      <CheckboxField id={idOf('stripPrefix')} label="Strip the matched prefix before proxying" checked={form.stripPrefix} onChange={(stripPrefix) => update({ stripPrefix })} error={errors.stripPrefix} />
      <JsonField
        id={idOf('advanced')}
        label="Advanced (JSON)"
        value={form.advanced}
        onInput={(advanced) => update({ advanced })}
        error={errors.advanced}
        hint='The route&apos;s other fields as one JSON object: rateLimit, cors, requestHeaders, timeouts, retry, backends, redirect, jwt, acl…, e.g. {"rateLimit": {"limit": 60, "windowSeconds": 60}}'
      />
    </>
  );
}

const listText = (values: unknown, empty: string) => (Array.isArray(values) && values.length > 0 ? values.map(pathLine).join(', ') : empty);

const ROUTES: EntityPageSpec<EntityItem, RouteForm> = {
  kind: 'route',
  plural: 'routes',
  title: 'Routes',
  nameOf: (route) => String(route.name),
  columns: [
    { header: 'Name', cell: (route) => String(route.name) },
    { header: 'Paths', cell: (route) => listText(route.paths, '') },
    { header: 'Methods', cell: (route) => listText(route.methods, 'any') },
    { header: 'Service', cell: (route) => (typeof route.service === 'string' ? route.service : route.backends !== undefined ? 'backends' : route.redirect !== undefined ? 'redirect' : 'none') },
    { header: 'Hosts', cell: (route) => listText(route.hosts, 'any') },
    { header: 'Auth', cell: (route) => String(route.auth ?? 'none') },
  ],
  emptyForm: EMPTY_ROUTE_FORM,
  formOf: routeFormOf,
  bodyOf: routeBodyOf,
  errorRouting: routeErrorRouting,
  fieldOrder: ['name', 'service', 'paths', 'methods', 'hosts', 'auth', 'stripPrefix', 'advanced'],
  Fields: RouteFields,
};

export function RoutesPage(props: SignedInPageProps) {
  return <EntityPage {...props} spec={ROUTES} />;
}
