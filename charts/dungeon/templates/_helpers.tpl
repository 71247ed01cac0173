{{/*
Names. Kubernetes object names used here are DNS-1035 labels (at most 63 characters), so every
helper truncates. Component names truncate the prefix, never the component suffix, so two
components of one long release name never collide.
*/}}

{{- define "dungeon.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dungeon.fullname" -}}
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

{{/* `<chart>-<version>` for the helm.sh/chart label (label values are at most 63 characters). */}}
{{- define "dungeon.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
A component's name: `<fullname>-<component>`, with the prefix cut so the whole fits `max`
(default 63). StatefulSets pass 52: their pods carry `controller-revision-hash: <name>-<hash>`,
a label value that must also fit in 63 characters.
Call: include "dungeon.componentName" (dict "ctx" $ "component" "api-server" "max" 63)
*/}}
{{- define "dungeon.componentName" -}}
{{- $max := int (default 63 .max) -}}
{{- $room := int (sub $max (add1 (len .component))) -}}
{{- printf "%s-%s" (include "dungeon.fullname" .ctx | trunc $room | trimSuffix "-") .component -}}
{{- end -}}

{{- define "dungeon.operator.fullname" -}}
{{- include "dungeon.componentName" (dict "ctx" . "component" "operator") -}}
{{- end -}}

{{- define "dungeon.apiServer.fullname" -}}
{{- include "dungeon.componentName" (dict "ctx" . "component" "api-server") -}}
{{- end -}}

{{- define "dungeon.redis.fullname" -}}
{{- include "dungeon.componentName" (dict "ctx" . "component" "redis" "max" 52) -}}
{{- end -}}

{{- define "dungeon.postgresql.fullname" -}}
{{- include "dungeon.componentName" (dict "ctx" . "component" "postgresql" "max" 52) -}}
{{- end -}}

{{- define "dungeon.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "dungeon.operator.fullname" .) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "dungeon.apiServer.serviceAccountName" -}}
{{- if .Values.apiServer.serviceAccount.create -}}
{{- default (include "dungeon.apiServer.fullname" .) .Values.apiServer.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.apiServer.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Labels. Selector labels never change across upgrades (Deployment and StatefulSet selectors are
immutable); metadata labels add the version and chart, which do.
*/}}
{{- define "dungeon.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dungeon.name" . }}
app.kubernetes.io/instance: {{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "dungeon.labels" -}}
helm.sh/chart: {{ include "dungeon.chart" . }}
{{ include "dungeon.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: distributed-dungeon
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Call: include "dungeon.componentSelectorLabels" (dict "ctx" $ "component" "api-server") */}}
{{- define "dungeon.componentSelectorLabels" -}}
{{ include "dungeon.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "dungeon.componentLabels" -}}
{{ include "dungeon.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* metadata.annotations block from commonAnnotations plus extra ones (dict). */}}
{{- define "dungeon.annotations" -}}
{{- $all := merge (dict) (default (dict) .extra) (default (dict) .ctx.Values.commonAnnotations) -}}
{{- if $all }}
  annotations:
    {{- toYaml $all | nindent 4 }}
{{- end }}
{{- end -}}

{{/* Annotation that keeps generated secrets on uninstall when asked to. */}}
{{- define "dungeon.secretAnnotations" -}}
{{- $extra := dict -}}
{{- if .Values.auth.keepOnUninstall -}}
{{- $_ := set $extra "helm.sh/resource-policy" "keep" -}}
{{- end -}}
{{- include "dungeon.annotations" (dict "ctx" . "extra" $extra) -}}
{{- end -}}

{{/*
An image reference: registry (own, else global, else none) / repository, then @digest or :tag
(tag defaults to the chart's appVersion).
Call: include "dungeon.image" (dict "ctx" $ "image" .Values.apiServer.image)
*/}}
{{- define "dungeon.image" -}}
{{- $registry := default .ctx.Values.global.imageRegistry .image.registry -}}
{{- $repo := .image.repository -}}
{{- if $registry -}}{{- $repo = printf "%s/%s" $registry $repo -}}{{- end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repo .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default .ctx.Chart.AppVersion .image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{- define "dungeon.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
A probe block. Call: include "dungeon.httpProbe" (dict "probe" .Values.x.livenessProbe "path" "/healthz" "port" "http" "scheme" "HTTP")
*/}}
{{- define "dungeon.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: {{ .port }}
  scheme: {{ .scheme | default "HTTP" }}
{{- with .probe.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end -}}

{{/* Soft anti-affinity spreading a component's replicas over nodes, unless affinity is set. */}}
{{- define "dungeon.affinity" -}}
{{- if .affinity }}
affinity:
  {{- toYaml .affinity | nindent 2 }}
{{- else }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "dungeon.componentSelectorLabels" (dict "ctx" .ctx "component" .component) | nindent 14 }}
{{- end }}
{{- end -}}

{{/* Scheduling fields shared by every pod template. Call with (dict "v" .Values.x) */}}
{{- define "dungeon.scheduling" -}}
{{- with .v.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .v.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .v.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* ---- Secrets and connection settings ---- */}}

{{/*
The value (base64, as stored) of `key` in the Secret `name` of the release namespace if it
exists, otherwise `generated` encoded. This is what makes generated secrets survive upgrades.
Call: include "dungeon.lookupOrGenerate" (dict "ctx" $ "name" $name "key" "admin-token" "generated" (randAlphaNum 48))
*/}}
{{- define "dungeon.lookupOrGenerate" -}}
{{- $found := "" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .name -}}
{{- if $existing -}}
{{- if $existing.data -}}
{{- $found = index $existing.data .key | default "" -}}
{{- end -}}
{{- end -}}
{{- if $found -}}
{{- $found -}}
{{- else -}}
{{- .generated | b64enc -}}
{{- end -}}
{{- end -}}

{{/* The existing Secret holding the admin token / the JWT signing keys; empty: the chart generates it. */}}
{{- define "dungeon.auth.adminTokenExisting" -}}
{{- default .Values.auth.existingSecret .Values.auth.adminTokenExistingSecret -}}
{{- end -}}

{{- define "dungeon.auth.jwtSigningKeysExisting" -}}
{{- default .Values.auth.existingSecret .Values.auth.jwtSigningKeysExistingSecret -}}
{{- end -}}

{{- define "dungeon.auth.generatedName" -}}
{{- include "dungeon.componentName" (dict "ctx" . "component" "auth") -}}
{{- end -}}

{{/* The Secret the admin token is read from (the api-server's, the operator's, NOTES.txt). */}}
{{- define "dungeon.auth.secretName" -}}
{{- default (include "dungeon.auth.generatedName" .) (include "dungeon.auth.adminTokenExisting" .) -}}
{{- end -}}

{{- define "dungeon.auth.jwtSecretName" -}}
{{- default (include "dungeon.auth.generatedName" .) (include "dungeon.auth.jwtSigningKeysExisting" .) -}}
{{- end -}}

{{- define "dungeon.postgresql.secretName" -}}
{{- default (include "dungeon.postgresql.fullname" .) .Values.postgresql.auth.existingSecret -}}
{{- end -}}

{{- define "dungeon.redis.secretName" -}}
{{- default (include "dungeon.redis.fullname" .) .Values.redis.auth.existingSecret -}}
{{- end -}}

{{/* The Secret the chart makes for externalDatabase.url / externalRedis.url. */}}
{{- define "dungeon.external.secretName" -}}
{{- include "dungeon.componentName" (dict "ctx" . "component" "external") -}}
{{- end -}}

{{- define "dungeon.apiServer.scheme" -}}
{{- if .Values.apiServer.tls.enabled -}}https{{- else -}}http{{- end -}}
{{- end -}}

{{/* The in-cluster URL of the api-server: the operator's DUNGEON_REGISTRY_URL, the characters' registry. */}}
{{- define "dungeon.apiServer.url" -}}
{{- printf "%s://%s.%s.svc:%d" (include "dungeon.apiServer.scheme" .) (include "dungeon.apiServer.fullname" .) .Release.Namespace (int .Values.apiServer.port) -}}
{{- end -}}

{{/*
The api-server's URL from outside the cluster, for external Characters' connection bundles:
apiServer.externalUrl, else the Ingress's first host (https when a TLS block lists it) with its
first path when that is a plain Prefix path other than / (`/dungeon`: the platform behind a path
prefix, which the SDK then carries to every call and to `/dungeon/ws`); empty when neither is set
(the operator then refuses external Characters).
*/}}
{{- define "dungeon.apiServer.externalUrl" -}}
{{- $v := .Values.apiServer -}}
{{- if $v.externalUrl -}}
{{- trimSuffix "/" $v.externalUrl -}}
{{- else if and $v.ingress.enabled $v.ingress.hosts -}}
{{- $first := first $v.ingress.hosts -}}
{{- $host := $first.host -}}
{{- $tls := false -}}
{{- range $v.ingress.tls }}{{ if has $host (.hosts | default list) }}{{ $tls = true }}{{ end }}{{ end -}}
{{- $prefix := "" -}}
{{- with $first.paths }}{{ with first . }}
{{- if and (eq .pathType "Prefix") (regexMatch "^(/[A-Za-z0-9._~-]+)+/?$" .path) }}{{ $prefix = trimSuffix "/" .path }}{{ end -}}
{{- end }}{{ end -}}
{{- printf "%s://%s%s" (ternary "https" "http" $tls) $host $prefix -}}
{{- end -}}
{{- end -}}

{{/* The URL the admin API answers on: the admin port when apiServer.adminPort is set (the operator's DUNGEON_REGISTRY_URL). */}}
{{- define "dungeon.apiServer.adminUrl" -}}
{{- if .Values.apiServer.adminPort -}}
{{- printf "%s://%s.%s.svc:%d" (include "dungeon.apiServer.scheme" .) (include "dungeon.apiServer.fullname" .) .Release.Namespace (int .Values.apiServer.adminPort) -}}
{{- else -}}
{{- include "dungeon.apiServer.url" . -}}
{{- end -}}
{{- end -}}

{{- define "dungeon.redis.host" -}}
{{- printf "%s.%s.svc" (include "dungeon.redis.fullname" .) .Release.Namespace -}}
{{- end -}}

{{- define "dungeon.postgresql.host" -}}
{{- printf "%s.%s.svc" (include "dungeon.postgresql.fullname" .) .Release.Namespace -}}
{{- end -}}

{{/*
env entries giving the api-server DATABASE_URL and REDIS_URL. Bundled servers: the password
comes from the Secret and Kubernetes expands $(VAR) into the URL; external ones: the whole URL
from a Secret.
*/}}
{{- define "dungeon.apiServer.connectionEnv" -}}
{{- if .Values.postgresql.enabled }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "dungeon.postgresql.secretName" . }}
      key: {{ .Values.postgresql.auth.existingSecretPasswordKey }}
- name: DATABASE_URL
  value: {{ printf "postgresql://%s:$(DATABASE_PASSWORD)@%s:5432/%s" .Values.postgresql.auth.username (include "dungeon.postgresql.host" .) .Values.postgresql.auth.database | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (include "dungeon.external.secretName" .) .Values.externalDatabase.existingSecret }}
      key: {{ if .Values.externalDatabase.existingSecret }}{{ .Values.externalDatabase.existingSecretKey }}{{ else }}database-url{{ end }}
{{- end }}
{{- if .Values.redis.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "dungeon.redis.secretName" . }}
      key: password
- name: REDIS_URL
  value: {{ printf "%s://%s:$(REDIS_PASSWORD)@%s:6379" (ternary "rediss" "redis" .Values.redis.tls.enabled) .Values.redis.auth.adminUser (include "dungeon.redis.host" .) | quote }}
{{- else }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (include "dungeon.external.secretName" .) .Values.externalRedis.existingSecret }}
      key: {{ if .Values.externalRedis.existingSecret }}{{ .Values.externalRedis.existingSecretKey }}{{ else }}redis-url{{ end }}
{{- end }}
{{- end -}}

{{/* Fails the render with a message naming the values to set when a combination cannot work. */}}
{{- define "dungeon.validate" -}}
{{- if not .Values.generateSecrets -}}
{{- $missing := list -}}
{{- if not (include "dungeon.auth.adminTokenExisting" .) -}}
{{- $missing = append $missing "auth.adminTokenExistingSecret (or auth.existingSecret)" -}}
{{- end -}}
{{- if not (include "dungeon.auth.jwtSigningKeysExisting" .) -}}
{{- $missing = append $missing "auth.jwtSigningKeysExistingSecret (or auth.existingSecret)" -}}
{{- end -}}
{{- if and .Values.postgresql.enabled (not .Values.postgresql.auth.existingSecret) -}}
{{- $missing = append $missing "postgresql.auth.existingSecret" -}}
{{- end -}}
{{- if and .Values.redis.enabled (not .Values.redis.auth.existingSecret) -}}
{{- $missing = append $missing "redis.auth.existingSecret" -}}
{{- end -}}
{{- if $missing -}}
{{- fail (printf "generateSecrets=false: these credentials would be generated (and made anew by every render without a cluster); set %s" (join ", " $missing)) -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.postgresql.enabled) (not .Values.externalDatabase.url) (not .Values.externalDatabase.existingSecret) -}}
{{- fail "postgresql.enabled=false needs externalDatabase.url or externalDatabase.existingSecret" -}}
{{- end -}}
{{- if and (not .Values.redis.enabled) (not .Values.externalRedis.url) (not .Values.externalRedis.existingSecret) -}}
{{- fail "redis.enabled=false needs externalRedis.url or externalRedis.existingSecret" -}}
{{- end -}}
{{- if and .Values.apiServer.adminPort (eq (int .Values.apiServer.adminPort) (int .Values.apiServer.port)) -}}
{{- fail "apiServer.adminPort must differ from apiServer.port (or be 0 to share it)" -}}
{{- end -}}
{{- if and .Values.apiServer.tls.enabled (not .Values.apiServer.tls.secretName) -}}
{{- fail "apiServer.tls.enabled=true needs apiServer.tls.secretName (a Secret with tls.crt, tls.key and ca.crt)" -}}
{{- end -}}
{{- if and .Values.redis.enabled .Values.redis.tls.enabled (not .Values.redis.tls.secretName) -}}
{{- fail "redis.tls.enabled=true needs redis.tls.secretName (a Secret with tls.crt, tls.key and ca.crt)" -}}
{{- end -}}
{{- if and .Values.apiServer.autoscaling.enabled (lt (int .Values.apiServer.autoscaling.maxReplicas) (int .Values.apiServer.autoscaling.minReplicas)) -}}
{{- fail "apiServer.autoscaling.maxReplicas must be at least apiServer.autoscaling.minReplicas" -}}
{{- end -}}
{{- end -}}
