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
{{- if and .Values.operator.enabled (gt (int .Values.operator.replicas) 1) (not .Values.operator.leaderElection) -}}
{{- fail "operator.replicas above 1 needs operator.leaderElection: true (two operators would reconcile at once)" -}}
{{- end -}}
{{- end -}}
