{{/* Names: "<release>-stratus", or the release name alone when it already says stratus. */}}
{{- define "stratus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "stratus.fullname" -}}
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

{{/* Labels of every object. */}}
{{- define "stratus.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "stratus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: stratus
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "operator"). */}}
{{- define "stratus.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stratus.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of one component's objects. */}}
{{- define "stratus.componentLabels" -}}
{{ include "stratus.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Object names of the components. */}}
{{- define "stratus.operator.name" -}}{{ include "stratus.fullname" . }}-operator{{- end }}
{{- define "stratus.webhooks.name" -}}{{ include "stratus.fullname" . }}-webhooks{{- end }}
{{- define "stratus.api.name" -}}{{ include "stratus.fullname" . }}-api{{- end }}
{{- define "stratus.webhooks.tlsSecret" -}}{{ include "stratus.fullname" . }}-webhook-tls{{- end }}
{{- define "stratus.engines.name" -}}{{ include "stratus.fullname" . }}-engines{{- end }}
{{- define "stratus.api.tokenKeysSecret" -}}
{{- .Values.api.tokenKeys.existingSecret | default (printf "%s-api-token-keys" (include "stratus.fullname" .)) }}
{{- end }}

{{/* The image reference: a digest wins over a tag; the tag defaults to appVersion. */}}
{{- define "stratus.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Generated API facts (files/api.yaml): kinds, webhook rules, tenant ClusterRoles. */}}
{{- define "stratus.api" -}}
{{- .Files.Get "files/api.yaml" }}
{{- end }}

{{/* Pod security: non-root, no privilege escalation, no capabilities, read-only root. */}}
{{- define "stratus.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "stratus.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
Scheduling and metadata every component's pod shares:
(dict "root" $ "component" "operator" "values" .Values.operator).
*/}}
{{- define "stratus.podScheduling" -}}
{{- $selector := include "stratus.selectorLabels" (dict "root" .root "component" .component) | fromYaml }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .values.topologySpread.enabled }}
topologySpreadConstraints:
  {{- range .values.topologySpread.topologyKeys }}
  - maxSkew: {{ $.values.topologySpread.maxSkew }}
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $.values.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- toYaml $selector | nindent 8 }}
    # Count only the pods of the current rollout, not the ones being replaced.
    matchLabelKeys: ["pod-template-hash"]
  {{- end }}
{{- end }}
{{- end }}

{{/* A PodDisruptionBudget: (dict "root" $ "component" "operator" "values" .Values.operator). */}}
{{- define "stratus.pdb" -}}
{{- if .values.podDisruptionBudget.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "stratus.fullname" .root }}-{{ .component }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "stratus.componentLabels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "stratus.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/* Probes on the health port of a component. */}}
{{- define "stratus.probes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: health
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: health
  periodSeconds: 5
  timeoutSeconds: 5
  failureThreshold: 3
startupProbe:
  httpGet:
    path: /healthz
    port: health
  periodSeconds: 2
  failureThreshold: 60
{{- end }}

{{/* The URL OpenStack clients use: set, else the Ingress host, else the Service. */}}
{{- define "stratus.api.publicURL" -}}
{{- if .Values.api.publicURL }}
{{- .Values.api.publicURL }}
{{- else if .Values.api.ingress.enabled }}
{{- printf "%s://%s" (ternary "https" "http" .Values.api.ingress.tls.enabled) .Values.api.ingress.host }}
{{- else }}
{{- printf "http://%s.%s.svc:%v" (include "stratus.api.name" .) .Release.Namespace .Values.api.service.port }}
{{- end }}
{{- end }}
