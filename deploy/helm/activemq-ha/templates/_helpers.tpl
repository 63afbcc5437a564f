{{/*
Names are fixed, not derived from the release: the code and the admission policies name these objects
(io.activemqha.common.InstallNames and RbacNames), so one cluster holds one installation.
*/}}

{{/* The namespace of the webhook, its certificates and its RBAC. */}}
{{- define "activemq-ha.namespace" -}}
{{- required "namespace.name is required" .Values.namespace.name -}}
{{- end -}}

{{/*
Labels of every object: the one deploy/install puts on everything, and Helm's bookkeeping. Not on pod templates nor
selectors, so that an upgrade never changes a Deployment's selector.
*/}}
{{- define "activemq-ha.labels" -}}
app.kubernetes.io/part-of: activemq-ha
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* An image reference from an entry of .Values.image: repository:tag, the tag defaulting to appVersion. */}}
{{- define "activemq-ha.image" -}}
{{- $image := index .root.Values.image .name -}}
{{- printf "%s:%s" $image.repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* The webhook's `serve` options for what it injects, from .Values.labeler (only those set). */}}
{{- define "activemq-ha.labelerArgs" -}}
{{- with .Values.labeler -}}
{{- if .brokerUrl }}
- --broker-url={{ .brokerUrl }}
{{- end }}
{{- if not (kindIs "invalid" .healthPort) }}
- --labeler-health-port={{ .healthPort }}
{{- end }}
{{- if not (kindIs "invalid" .nativeSidecar) }}
- --native-sidecar={{ .nativeSidecar }}
{{- end }}
{{- with .resources }}
{{- with .requests }}
{{- with .cpu }}
- --labeler-cpu-request={{ . }}
{{- end }}
{{- with .memory }}
- --labeler-memory-request={{ . }}
{{- end }}
{{- end }}
{{- with .limits }}
{{- with .cpu }}
- --labeler-cpu-limit={{ . }}
{{- end }}
{{- with .memory }}
- --labeler-memory-limit={{ . }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
The pod spec of the certs Job and of its renewal CronJob: create, then patch (the caBundle is only ever patched from
a complete Secret), then check.
*/}}
{{- define "activemq-ha.certsPodSpec" -}}
{{- $namespace := include "activemq-ha.namespace" . -}}
{{- $image := include "activemq-ha.image" (dict "root" . "name" "certs") -}}
{{- $container := dict "image" $image "pullPolicy" .Values.image.pullPolicy "resources" .Values.certificates.builtin.resources -}}
serviceAccountName: activemq-ha-certs
restartPolicy: OnFailure
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  seccompProfile:
    type: RuntimeDefault
# Init containers run one after the other: create, then patch (the caBundle is only ever patched from a complete
# Secret), then the check.
initContainers:
  - name: create
    {{- include "activemq-ha.certsContainer" $container | nindent 4 }}
    args:
      - create
      - --service=activemq-ha-webhook
      - --namespace={{ $namespace }}
      - --secret=activemq-ha-webhook-tls
  - name: patch
    {{- include "activemq-ha.certsContainer" $container | nindent 4 }}
    args:
      - patch
      - --webhook-config=activemq-ha-webhook
      - --namespace={{ $namespace }}
      - --secret=activemq-ha-webhook-tls
containers:
  # Fails the Job (and so shows up in monitoring) unless the served certificate is valid for the Service, not close
  # to its end, and trusted by the caBundle: catches a caBundle that something else overwrote.
  - name: check
    {{- include "activemq-ha.certsContainer" $container | nindent 4 }}
    args:
      - check
      - --secret=activemq-ha-webhook-tls
      - --namespace={{ $namespace }}
      - --service=activemq-ha-webhook
      - --webhook-config=activemq-ha-webhook
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 16Mi
{{- end -}}

{{/* What the three certs containers share. */}}
{{- define "activemq-ha.certsContainer" -}}
image: {{ .image }}
imagePullPolicy: {{ .pullPolicy }}
resources:
  {{- toYaml .resources | nindent 2 }}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end -}}
