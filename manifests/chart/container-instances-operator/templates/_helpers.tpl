{{/* The chart's name, truncated to a DNS label. */}}
{{- define "cio.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: also the name of the cluster-scoped ClusterRole and its binding. */}}
{{- define "cio.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cio.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cio.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cio.labels" -}}
{{ include "cio.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: container-instances-operator
{{- if .Values.helmLabels }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- end }}

{{- define "cio.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cio.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cio.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Namespace of the leader-election Lease (the operator's default: its own namespace). */}}
{{- define "cio.leaseNamespace" -}}
{{- default .Release.Namespace .Values.config.leaderElectionNamespace }}
{{- end }}

{{/*
The operator's command line, one flag per key of .Values.config: `--<kebab-case key>=<value>`.
Objects (gpuSkus, dedicatedPool, spotPool) are passed as JSON and left out when empty, so the
operator's built-in value applies. Every other value is passed, an empty string included (an empty
environment variable would mean "unset", an empty flag means "empty": runtimeClass "" on kind).
*/}}
{{- define "cio.args" -}}
{{- range $key, $value := .Values.config }}
{{- if eq $key "watchNamespace" }}
- {{ printf "--watch-namespace=%s" (include "cio.watchNamespaces" $) | toJson }}
{{- else if and (eq $key "metricsCertDir") (include "cio.metricsCertSecret" $) }}
- {{ printf "--metrics-cert-dir=%s" (include "cio.metricsCertDir" $) | toJson }}
{{- else if kindIs "map" $value }}
{{- if $value }}
- {{ printf "--%s=%s" (kebabcase $key) (toJson $value) | toJson }}
{{- end }}
{{- else if kindIs "invalid" $value }}
{{- else if and (kindIs "float64" $value) (eq $value (float64 (int64 $value))) }}
- {{ printf "--%s=%s" (kebabcase $key) (toString ($value | int64)) | toJson }}
{{- else }}
- {{ printf "--%s=%v" (kebabcase $key) $value | toJson }}
{{- end }}
{{- end }}
{{- range .Values.extraArgs }}
- {{ . | toJson }}
{{- end }}
{{- end }}

{{/*
The watched namespaces, comma-joined (the --watch-namespace flag): watchNamespaces and the comma
list of config.watchNamespace, trimmed, without empties and duplicates; "" for every namespace.
*/}}
{{- define "cio.watchNamespaces" -}}
{{- $all := concat (.Values.watchNamespaces | default list) (splitList "," (.Values.config.watchNamespace | default "")) }}
{{- $clean := list }}
{{- range $all }}
{{- $ns := trim . }}
{{- if and $ns (not (has $ns $clean)) }}
{{- $clean = append $clean $ns }}
{{- end }}
{{- end }}
{{- join "," $clean }}
{{- end }}

{{/* The Secret holding the metrics certificate, mounted by the Deployment; "" for none (self-signed). */}}
{{- define "cio.metricsCertSecret" -}}
{{- if .Values.metrics.certificate.certManager.enabled }}
{{- printf "%s-metrics-tls" (include "cio.fullname" .) }}
{{- else }}
{{- .Values.metrics.certificate.secretName }}
{{- end }}
{{- end }}

{{- define "cio.metricsCertDir" -}}
/var/run/secrets/metrics-tls
{{- end }}
