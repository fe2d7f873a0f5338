#!/usr/bin/env bash
# Writes one environment's secret settings as SecureString parameters, which CloudFormation cannot create.
#
#   infra/put-secret-parameters.sh --environment staging [--file FILE] [--database-secret ARN] [--overwrite]
#                                  [--path-prefix /learning-platform] [--kms-key-id KEY]
#
# Values come from FILE, or from standard input, as NAME=value lines (split at the first '='; blank lines and
# lines starting with # are skipped). They never appear on a command line: each is handed to the AWS CLI in a
# private temporary file (`--value file://...`), so no process listing or shell history shows one.
# --database-secret copies the database password the stack generated (its output StagingDatabaseSecretArn /
# ProductionDatabaseSecretArn) into POSTGRES_PASSWORD the same way.
# Existing parameters are never replaced without --overwrite: the script checks them all first and changes
# nothing when one exists. Messages name files, lines and parameters, never a value.
set -Eeuo pipefail

die() { echo "put-secret-parameters: $*" >&2; exit 1; }

environment='' file='' database_secret='' overwrite=false prefix=/learning-platform kms_key=''
while [ $# -gt 0 ]; do
  case "$1" in
    --environment) environment=${2-}; shift 2 || die "--environment needs a value" ;;
    --file) file=${2-}; shift 2 || die "--file needs a value" ;;
    --database-secret) database_secret=${2-}; shift 2 || die "--database-secret needs a value" ;;
    --path-prefix) prefix=${2-}; shift 2 || die "--path-prefix needs a value" ;;
    --kms-key-id) kms_key=${2-}; shift 2 || die "--kms-key-id needs a value" ;;
    --overwrite) overwrite=true; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (values are read from --file or standard input, never from arguments)" ;;
  esac
done
[[ "$environment" =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "--environment must name the environment, e.g. staging or production"
[[ "$prefix" =~ ^(/[A-Za-z0-9_.-]+)+$ ]] || die "--path-prefix must look like /learning-platform"
command -v aws >/dev/null || die "the AWS CLI (aws) is not on PATH"
path="$prefix/$environment/"

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Read NAME=value lines into one file per value (names only ever go into variables and messages).
source_name=${file:-standard input}
if [ -n "$file" ]; then
  [ -r "$file" ] || die "cannot read $file"
  exec 3<"$file"
else
  [ ! -t 0 ] || echo "Type NAME=value lines, then Ctrl-D (nothing is echoed back):" >&2
  exec 3<&0
fi
names=()
line_number=0
while IFS= read -r line <&3 || [ -n "$line" ]; do
  line_number=$((line_number + 1))
  line=${line%$'\r'}
  case "$line" in ''|'#'*) continue ;; esac
  [[ "$line" == *=* ]] || die "$source_name, line $line_number: expected NAME=value"
  name=${line%%=*}
  value=${line#*=}
  [[ "$name" =~ ^[A-Z][A-Z0-9_]*$ ]] || die "$source_name, line $line_number: the name must be upper case letters, digits and _ (e.g. SMTP_PASSWORD)"
  [ -n "$value" ] || die "$source_name, line $line_number: $name has an empty value"
  [ ! -e "$work/$name" ] || die "$source_name, line $line_number: $name is given twice"
  printf '%s' "$value" > "$work/$name"
  names+=("$name")
done
exec 3<&-
unset line value

if [ -n "$database_secret" ]; then
  [ ! -e "$work/POSTGRES_PASSWORD" ] || die "POSTGRES_PASSWORD is given in $source_name and by --database-secret; give it once"
  # Command substitution keeps the value in memory; printf writes it without a trailing newline.
  password=$(aws secretsmanager get-secret-value --secret-id "$database_secret" --query SecretString --output text) ||
    die "could not read the database secret $database_secret"
  if [ -z "$password" ] || [ "$password" = None ]; then die "the database secret $database_secret has no value"; fi
  printf '%s' "$password" > "$work/POSTGRES_PASSWORD"
  unset password
  names+=(POSTGRES_PASSWORD)
fi
[ ${#names[@]} -gt 0 ] || die "no NAME=value lines in $source_name"

# Refuse before writing anything when a parameter exists and --overwrite was not given (names only; no decryption).
if [ "$overwrite" = false ]; then
  full=()
  for name in "${names[@]}"; do full+=("$path$name"); done
  existing=()
  for ((i = 0; i < ${#full[@]}; i += 10)); do # GetParameters takes at most 10 names
    found=$(aws ssm get-parameters --names "${full[@]:i:10}" --query 'Parameters[].Name' --output text)
    for n in $found; do existing+=("$n"); done
  done
  if [ ${#existing[@]} -gt 0 ]; then
    die "already set: ${existing[*]}; nothing was written. Pass --overwrite to replace them."
  fi
fi

for name in "${names[@]}"; do
  args=(ssm put-parameter --name "$path$name" --type SecureString --value "file://$work/$name")
  [ "$overwrite" = false ] || args+=(--overwrite)
  [ -z "$kms_key" ] || args+=(--key-id "$kms_key")
  aws "${args[@]}" >/dev/null || die "writing $path$name failed"
  rm -f "$work/$name"
  echo "wrote $path$name (SecureString)"
done
