{{/* vim: set filetype=mustache: */}}

{{- define "jobdesk.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Fully qualified app name, truncated to leave room for the longest component suffix
("-resume-parser", 14 characters) within the 63 characters of a DNS label.
*/}}
{{- define "jobdesk.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 49 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 49 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 49 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "jobdesk.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "jobdesk.selectorLabels" -}}
app.kubernetes.io/name: {{ include "jobdesk.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "jobdesk.labels" -}}
helm.sh/chart: {{ include "jobdesk.chart" . }}
{{ include "jobdesk.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: jobdesk
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Annotations of every object (may be empty). */}}
{{- define "jobdesk.annotations" -}}
{{- with .Values.commonAnnotations }}
{{- toYaml . }}
{{- end }}
{{- end -}}

{{/*
The components: values key, name (also the dist/apps/<name> folder) and, for workers, the fact
that they consume a queue. Call with the root context.
*/}}
{{- define "jobdesk.componentList" -}}
- {key: gateway, name: gateway, worker: false}
- {key: jobTracker, name: job-tracker, worker: false}
- {key: resumeParser, name: resume-parser, worker: true}
- {key: emailWorker, name: email-worker, worker: true}
- {key: notifier, name: notifier, worker: true}
{{- end -}}

{{/* Component selector labels; call with (dict "root" $ "name" "gateway"). */}}
{{- define "jobdesk.componentSelectorLabels" -}}
{{ include "jobdesk.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "jobdesk.componentLabels" -}}
{{ include "jobdesk.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "jobdesk.componentFullname" -}}
{{- printf "%s-%s" (include "jobdesk.fullname" .root) .name -}}
{{- end -}}

{{- define "jobdesk.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "jobdesk.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "jobdesk.image" -}}
{{- $registry := default .Values.image.registry .Values.global.imageRegistry -}}
{{- $repo := ternary (printf "%s/%s" $registry .Values.image.repository) .Values.image.repository (ne $registry "") -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{- define "jobdesk.testImage" -}}
{{- $registry := default .Values.tests.image.registry .Values.global.imageRegistry -}}
{{- $repo := ternary (printf "%s/%s" $registry .Values.tests.image.repository) .Values.tests.image.repository (ne $registry "") -}}
{{- printf "%s:%s" $repo (.Values.tests.image.tag | toString) -}}
{{- end -}}

{{- define "jobdesk.imagePullSecrets" -}}
{{- $secrets := concat (.Values.global.imagePullSecrets | default list) -}}
{{- if $secrets }}
imagePullSecrets:
{{- range $secrets }}
  {{- if kindIs "map" . }}
  - name: {{ .name }}
  {{- else }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "jobdesk.configMapName" -}}
{{- printf "%s-config" (include "jobdesk.fullname" .) -}}
{{- end -}}

{{- define "jobdesk.secretName" -}}
{{- default (printf "%s-secrets" (include "jobdesk.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* The Secret that the migration hook reads (it runs before the release's own objects exist). */}}
{{- define "jobdesk.migrationSecretName" -}}
{{- default (printf "%s-migration" (include "jobdesk.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "jobdesk.databaseUrl" -}}
{{- $pg := .Values.postgresql -}}
{{- $auth := $pg.username | urlquery -}}
{{- if $pg.password }}{{ $auth = printf "%s:%s" $auth ($pg.password | urlquery) }}{{ end -}}
{{- printf "postgres://%s@%s:%v/%s" $auth $pg.host $pg.port $pg.database -}}
{{- with $pg.params }}?{{ . }}{{ end -}}
{{- end -}}

{{- define "jobdesk.redisUrl" -}}
{{- $r := .Values.redis -}}
{{- $auth := "" -}}
{{- if and $r.auth.enabled $r.auth.password }}{{ $auth = printf ":%s@" ($r.auth.password | urlquery) }}{{ end -}}
{{- printf "%s://%s%s:%v/%v" (ternary "rediss" "redis" $r.tls) $auth $r.host $r.port $r.db -}}
{{- end -}}

{{/*
A value kept across upgrades: the key of the release's Secret if it exists in the cluster, else
the given value, else a new random one. (lookup returns nothing under helm template / --dry-run.)
*/}}
{{- define "jobdesk.persistentSecretValue" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace (printf "%s-secrets" (include "jobdesk.fullname" .root)) -}}
{{- if .value -}}
{{- .value -}}
{{- else if and $existing (index ($existing.data | default dict) .key) -}}
{{- index $existing.data .key | b64dec -}}
{{- else -}}
{{- .generate -}}
{{- end -}}
{{- end -}}

{{- define "jobdesk.apiKeys" -}}
{{- include "jobdesk.persistentSecretValue" (dict "root" . "key" "API_KEYS" "value" (join "," .Values.auth.apiKeys) "generate" (randAlphaNum 40)) -}}
{{- end -}}

{{/* Pod-level security context and the /tmp volume, shared by the apps, the migration and the test. */}}
{{- define "jobdesk.podSecurityContext" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{- define "jobdesk.containerSecurityContext" -}}
securityContext:
  {{- toYaml .Values.containerSecurityContext | nindent 2 }}
{{- end -}}

{{/* Fails on settings that cannot work together. */}}
{{- define "jobdesk.validate" -}}
{{- if and .Values.autoscaling.keda.enabled .Values.autoscaling.fallbackHpa.enabled -}}
{{- fail "autoscaling.keda.enabled and autoscaling.fallbackHpa.enabled are exclusive: two controllers would fight over the workers' replicas" -}}
{{- end -}}
{{- if .Values.autoscaling.keda.enabled -}}
{{- range $c := include "jobdesk.componentList" . | fromYamlArray -}}
{{- $v := index $.Values $c.key -}}
{{- if and $c.worker $v.enabled $v.autoscaling.enabled (eq $.Values.autoscaling.keda.trigger "prometheus") (eq (int $v.autoscaling.minReplicas) 0) -}}
{{- fail (printf "%s.autoscaling.minReplicas=0 needs autoscaling.keda.trigger redis or both: the jobdesk_queue_jobs gauge comes from the workers themselves, so with 0 replicas nothing would ever scale %s up" $c.key $c.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* "true" when something other than the Deployment owns a component's replicas. Call with (dict "root" $ "c" $component). */}}
{{- define "jobdesk.autoscaled" -}}
{{- $v := index .root.Values .c.key -}}
{{- if .c.worker -}}
{{- if and $v.autoscaling.enabled (or .root.Values.autoscaling.keda.enabled .root.Values.autoscaling.fallbackHpa.enabled) }}true{{ end -}}
{{- else if and (hasKey $v "autoscaling") $v.autoscaling.enabled }}true{{ end -}}
{{- end -}}
