{{/* Names, labels, images and the pod pieces every component shares. */}}

{{- define "novagate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "novagate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects: <fullname>-<component>. Call with (dict "root" $ "component" "gateway"). */}}
{{- define "novagate.componentName" -}}
{{- printf "%s-%s" (include "novagate.fullname" .root | trunc 50 | trimSuffix "-") .component -}}
{{- end -}}

{{- define "novagate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "novagate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: novagate
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "novagate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "novagate.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "novagate.componentLabels" -}}
{{ include "novagate.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* <registry>/<repository>:<tag>. Call with (dict "root" $ "image" .Values.gateway.image). */}}
{{- define "novagate.image" -}}
{{- $tag := .image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s/%s:%s" .root.Values.image.registry .image.repository $tag -}}
{{- end -}}

{{- define "novagate.podSecurityContext" -}}
{{ toYaml .Values.podSecurityContext }}
{{- end -}}

{{- define "novagate.containerSecurityContext" -}}
{{ toYaml .Values.containerSecurityContext }}
{{- end -}}

{{/* An env entry read from a Secret key. Call with (dict "name" "DATABASE_URL" "secret" "x" "key" "y" "optional" false). */}}
{{- define "novagate.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | quote }}
      key: {{ .key | quote }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{- define "novagate.controlPlane.tlsSecretName" -}}
{{- if .Values.controlPlane.tls.certManager.enabled -}}
{{- printf "%s-tls" (include "novagate.componentName" (dict "root" . "component" "control-plane")) -}}
{{- else -}}
{{- .Values.controlPlane.tls.secretName -}}
{{- end -}}
{{- end -}}

{{/* The URL the chart's gateways dial. */}}
{{- define "novagate.gateway.controlPlaneUrl" -}}
{{- if .Values.gateway.controlPlane.url -}}
{{- .Values.gateway.controlPlane.url -}}
{{- else if .Values.controlPlane.enabled -}}
{{- $scheme := ternary "wss" "ws" .Values.controlPlane.tls.enabled -}}
{{- printf "%s://%s.%s.svc:%v" $scheme (include "novagate.componentName" (dict "root" . "component" "control-plane")) .Release.Namespace .Values.controlPlane.service.port -}}
{{- else -}}
{{- fail "gateway.controlPlane.url is required when gateway.mode is controlPlane and controlPlane.enabled is false" -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the CA the gateways trust for the control plane, or nothing. */}}
{{- define "novagate.gateway.caSecretName" -}}
{{- if .Values.gateway.controlPlane.ca.secretName -}}
{{- .Values.gateway.controlPlane.ca.secretName -}}
{{- else if and .Values.controlPlane.enabled .Values.controlPlane.tls.enabled (not .Values.gateway.controlPlane.url) -}}
{{- include "novagate.controlPlane.tlsSecretName" . -}}
{{- end -}}
{{- end -}}

{{/* Label matchers of each component's series in the alert rules. */}}
{{- define "novagate.ruleSelector" -}}
{{- $selectors := .root.Values.monitoring.prometheusRule.selectors -}}
{{- $given := get $selectors .key -}}
{{- if $given -}}
{{- $given -}}
{{- else -}}
{{- printf "job=\"%s\",namespace=\"%s\"" (include "novagate.componentName" (dict "root" .root "component" .component)) .root.Release.Namespace -}}
{{- end -}}
{{- end -}}

{{/* One alerting rule, rendered when its values say enabled. Call with (dict "root" $ "name" … "expr" … "summary" … "description" …). */}}
{{- define "novagate.alertRule" -}}
{{- $alert := get .root.Values.monitoring.prometheusRule.alerts .name -}}
{{- if $alert.enabled -}}
- alert: {{ .name }}
  expr: |-
    {{- .expr | nindent 4 }}
  for: {{ $alert.for }}
  labels:
    severity: {{ $alert.severity }}
    {{- with .root.Values.monitoring.prometheusRule.additionalLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    summary: {{ .summary | quote }}
    description: {{ .description | quote }}
    runbook_url: {{ printf "%s/%s.md" (trimSuffix "/" .root.Values.monitoring.prometheusRule.runbookBaseUrl) .name | quote }}
{{- end -}}
{{- end -}}

{{/* "true" when one of the named alerts is enabled. Call with (dict "root" $ "names" (list …)). */}}
{{- define "novagate.anyAlertEnabled" -}}
{{- $alerts := .root.Values.monitoring.prometheusRule.alerts -}}
{{- range .names -}}
{{- if (get $alerts .).enabled }}true{{ end -}}
{{- end -}}
{{- end -}}

{{/* Redis over TLS (rediss:// REDIS_URL): env, mounts and volumes from a component's `redisTls` values. */}}
{{- define "novagate.redisTlsEnv" -}}
{{- if .caSecret }}
- name: REDIS_CA_FILE
  value: /etc/novagate/redis-ca/ca.crt
{{- end }}
{{- if .clientCertSecret }}
- name: REDIS_CLIENT_CERT_FILE
  value: /etc/novagate/redis-client/tls.crt
- name: REDIS_CLIENT_KEY_FILE
  value: /etc/novagate/redis-client/tls.key
{{- end }}
{{- end -}}

{{- define "novagate.redisTlsMounts" -}}
{{- if .caSecret }}
- name: redis-ca
  mountPath: /etc/novagate/redis-ca
  readOnly: true
{{- end }}
{{- if .clientCertSecret }}
- name: redis-client
  mountPath: /etc/novagate/redis-client
  readOnly: true
{{- end }}
{{- end -}}

{{- define "novagate.redisTlsVolumes" -}}
{{- if .caSecret }}
- name: redis-ca
  secret:
    secretName: {{ .caSecret | quote }}
    items:
      - key: {{ .caKey | quote }}
        path: ca.crt
{{- end }}
{{- if .clientCertSecret }}
- name: redis-client
  secret:
    secretName: {{ .clientCertSecret | quote }}
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
{{- end }}
{{- end -}}

{{/* Slow-client and connection bounds of one component (controlPlane or gateway values); unset keeps the program's default. */}}
{{- define "novagate.clientLimitsEnv" -}}
{{- range $name, $key := dict "HEADERS_TIMEOUT_MS" "headersTimeoutMs" "BODY_IDLE_TIMEOUT_MS" "bodyIdleTimeoutMs" "REQUEST_TIMEOUT_MS" "requestTimeoutMs" "MAX_CONNECTIONS" "maxConnections" }}
{{- with index $ $key }}
- name: {{ $name }}
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- end -}}
