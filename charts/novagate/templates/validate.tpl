{{/* Value combinations the schema cannot express; each failure names the values to change. */}}
{{- define "novagate.validate" -}}
{{- if not (or .Values.controlPlane.enabled .Values.gateway.enabled .Values.operator.enabled) -}}
{{- fail "enable at least one of controlPlane.enabled, gateway.enabled, operator.enabled" -}}
{{- end -}}
{{- if and .Values.controlPlane.enabled .Values.controlPlane.tls.enabled .Values.controlPlane.tls.certManager.enabled (not .Values.controlPlane.tls.certManager.issuerRef.name) -}}
{{- fail "controlPlane.tls.certManager.issuerRef.name is required when controlPlane.tls.certManager.enabled is true" -}}
{{- end -}}
{{- if and .Values.controlPlane.enabled .Values.controlPlane.tls.enabled (not .Values.controlPlane.tls.certManager.enabled) (not .Values.controlPlane.tls.secretName) -}}
{{- fail "controlPlane.tls.secretName is required when controlPlane.tls.enabled is true and certManager is off" -}}
{{- end -}}
{{- if .Values.gateway.enabled -}}
{{- $drainSeconds := divf .Values.gateway.drainTimeoutMs 1000 -}}
{{- if le (float64 .Values.gateway.terminationGracePeriodSeconds) (addf $drainSeconds .Values.gateway.preStopSleepSeconds) -}}
{{- fail (printf "gateway.terminationGracePeriodSeconds (%v) must be longer than gateway.preStopSleepSeconds + gateway.drainTimeoutMs/1000 (%v s), or Kubernetes kills the gateway mid-drain" .Values.gateway.terminationGracePeriodSeconds (addf $drainSeconds .Values.gateway.preStopSleepSeconds)) -}}
{{- end -}}
{{- if and (eq .Values.gateway.kind "DaemonSet") .Values.gateway.autoscaling.enabled -}}
{{- fail "gateway.autoscaling.enabled needs gateway.kind Deployment (a DaemonSet runs one pod per node)" -}}
{{- end -}}
{{- if and (eq .Values.gateway.mode "controlPlane") (not .Values.controlPlane.enabled) (not .Values.gateway.controlPlane.url) -}}
{{- fail "gateway.controlPlane.url is required when gateway.mode is controlPlane and controlPlane.enabled is false" -}}
{{- end -}}
{{- end -}}
{{- /* Checked here, not by a schema pattern: helm would answer "Must validate at least one schema (anyOf)". */ -}}
{{- with .Values.gateway.controlPlane.url -}}
{{- if not (hasPrefix "wss://" .) -}}
{{- fail (printf "gateway.controlPlane.url must start with wss:// (got %q): the gateway sends its API key over this connection and refuses ws://" .) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.production .Values.postgresql.enabled -}}
{{- fail "postgresql.enabled is for trying NovaGate out (one pod, no backups, no replicas) and production is true: use a managed or replicated PostgreSQL and set its DATABASE_URL in controlPlane.existingSecret" -}}
{{- end -}}
{{- if .Values.controlPlane.ingress.enabled -}}
{{- if not .Values.controlPlane.enabled -}}
{{- fail "controlPlane.ingress.enabled needs controlPlane.enabled: the Ingress routes to this release's control plane" -}}
{{- end -}}
{{- if not .Values.controlPlane.ingress.host -}}
{{- fail "controlPlane.ingress.host is required when controlPlane.ingress.enabled is true" -}}
{{- end -}}
{{- if not .Values.controlPlane.ingress.tls.secretName -}}
{{- fail "controlPlane.ingress.tls.secretName is required when controlPlane.ingress.enabled is true (the Ingress serves the API over TLS only)" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.gateway.enabled (ne .Values.gateway.service.type "LoadBalancer") (or .Values.gateway.service.loadBalancerIP .Values.gateway.service.loadBalancerSourceRanges) -}}
{{- fail (printf "gateway.service.loadBalancerIP and loadBalancerSourceRanges need gateway.service.type LoadBalancer (it is %s)" .Values.gateway.service.type) -}}
{{- end -}}
{{- if and .Values.operator.enabled (gt (int .Values.operator.replicas) 1) (not .Values.operator.leaderElection) -}}
{{- fail "operator.replicas above 1 needs operator.leaderElection: true (two operators would reconcile at once)" -}}
{{- end -}}
{{- end -}}
