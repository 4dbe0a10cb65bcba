#!/usr/bin/env bash
# Collects a read-only inventory of one AWS account and region for
# `rampart import aws-inventory DIR`: one JSON file per AWS CLI call, the
# unmodified output of `aws ... --output json`, named after the call
# (`ec2-describe-vpcs.json`; for calls about one resource, the resource
# after `--`: `s3api-get-bucket-policy--my-bucket.json`).
#
# Usage: scripts/collect-aws-inventory.sh OUTPUT_DIR [--region REGION] [--profile PROFILE]
#
# Only describe/list/get calls are made. The AWS managed policy
# `SecurityAudit` (or `ReadOnlyAccess`) allows all of them. A call that
# fails (no permission, a service not enabled in the region) leaves
# `NAME.error.txt` with the CLI's message and the collection goes on: the
# importer reports denied calls as warnings, and reads "NoSuch..." answers
# (a bucket without a policy) as the absence they are.
set -euo pipefail

usage() {
  echo "usage: $0 OUTPUT_DIR [--region REGION] [--profile PROFILE]" >&2
  exit 2
}

[ $# -ge 1 ] || usage
out=$1
shift
common=()
while [ $# -gt 0 ]; do
  case $1 in
    --region) [ $# -ge 2 ] || usage; common+=(--region "$2"); shift 2 ;;
    --profile) [ $# -ge 2 ] || usage; common+=(--profile "$2"); shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
command -v aws >/dev/null 2>&1 || { echo "the AWS CLI (aws) is not installed" >&2; exit 1; }
mkdir -p "$out"

calls=0
failures=0

# call NAME SERVICE OPERATION [ARGS...]: writes NAME.json, or NAME.error.txt when the call fails.
call() {
  local name=$1
  shift
  calls=$((calls + 1))
  if aws ${common[@]+"${common[@]}"} "$@" --output json >"$out/$name.json.part" 2>"$out/$name.error.txt.part"; then
    mv "$out/$name.json.part" "$out/$name.json"
    rm -f "$out/$name.error.txt.part" "$out/$name.error.txt"
  else
    failures=$((failures + 1))
    mv "$out/$name.error.txt.part" "$out/$name.error.txt"
    rm -f "$out/$name.json.part" "$out/$name.json"
    echo "  failed: aws $* ($(head -n 1 "$out/$name.error.txt"))" >&2
  fi
}

# values SERVICE OPERATION QUERY [ARGS...]: the values a JMESPath query picks, one per line (none when the call fails).
values() {
  local service=$1 operation=$2 query=$3
  shift 3
  aws ${common[@]+"${common[@]}"} "$service" "$operation" "$@" --query "$query" --output text 2>/dev/null |
    tr '\t' '\n' | grep -v -e '^None$' -e '^$' || true
}

# A file name part from an id or ARN: its last path segment, with `:` made `-`.
part() {
  local value=${1##*/}
  echo "${value//:/-}"
}

echo "collecting into $out" >&2
call sts-get-caller-identity sts get-caller-identity
account=$(values sts get-caller-identity Account | head -n 1)

# Network
call ec2-describe-vpcs ec2 describe-vpcs
call ec2-describe-subnets ec2 describe-subnets
call ec2-describe-route-tables ec2 describe-route-tables
call ec2-describe-internet-gateways ec2 describe-internet-gateways
call ec2-describe-nat-gateways ec2 describe-nat-gateways
call ec2-describe-security-groups ec2 describe-security-groups

# Compute
call ec2-describe-instances ec2 describe-instances
call autoscaling-describe-auto-scaling-groups autoscaling describe-auto-scaling-groups
call lambda-list-functions lambda list-functions
call lambda-list-event-source-mappings lambda list-event-source-mappings
for function in $(values lambda list-functions 'Functions[].FunctionName'); do
  call "lambda-get-function-url-config--$function" lambda get-function-url-config --function-name "$function"
done
for cluster in $(values ecs list-clusters 'clusterArns[]'); do
  name=$(part "$cluster")
  services=$(values ecs list-services 'serviceArns[]' --cluster "$cluster")
  [ -n "$services" ] || continue
  # describe-services takes at most 10 services at a time.
  batch=0
  mapfile -t service_list <<<"$services"
  for ((start = 0; start < ${#service_list[@]}; start += 10)); do
    batch=$((batch + 1))
    batch_services=("${service_list[@]:start:10}")
    call "ecs-describe-services--$name-$batch" ecs describe-services --cluster "$cluster" \
      --services "${batch_services[@]}"
    for definition in $(values ecs describe-services 'services[].taskDefinition' --cluster "$cluster" \
      --services "${batch_services[@]}"); do
      call "ecs-describe-task-definition--$(part "$definition")" ecs describe-task-definition \
        --task-definition "$definition"
    done
  done
done
for cluster in $(values eks list-clusters 'clusters[]'); do
  call "eks-describe-cluster--$cluster" eks describe-cluster --name "$cluster"
done

# Load balancers
call elbv2-describe-load-balancers elbv2 describe-load-balancers
call elbv2-describe-target-groups elbv2 describe-target-groups
for balancer in $(values elbv2 describe-load-balancers 'LoadBalancers[].LoadBalancerArn'); do
  name=$(echo "$balancer" | awk -F/ '{print $(NF-1)}')
  call "elbv2-describe-listeners--$name" elbv2 describe-listeners --load-balancer-arn "$balancer"
done
while read -r group arn; do
  [ -n "$arn" ] || continue
  call "elbv2-describe-target-health--$group" elbv2 describe-target-health --target-group-arn "$arn"
done < <(values elbv2 describe-target-groups 'TargetGroups[].[TargetGroupName,TargetGroupArn]' | paste - -)

# Data stores
call rds-describe-db-instances rds describe-db-instances
call rds-describe-db-clusters rds describe-db-clusters
call s3api-list-buckets s3api list-buckets
for bucket in $(values s3api list-buckets 'Buckets[].Name'); do
  call "s3api-get-public-access-block--$bucket" s3api get-public-access-block --bucket "$bucket"
  call "s3api-get-bucket-encryption--$bucket" s3api get-bucket-encryption --bucket "$bucket"
  call "s3api-get-bucket-policy--$bucket" s3api get-bucket-policy --bucket "$bucket"
  call "s3api-get-bucket-policy-status--$bucket" s3api get-bucket-policy-status --bucket "$bucket"
  call "s3api-get-bucket-acl--$bucket" s3api get-bucket-acl --bucket "$bucket"
  call "s3api-get-bucket-logging--$bucket" s3api get-bucket-logging --bucket "$bucket"
  call "s3api-get-bucket-tagging--$bucket" s3api get-bucket-tagging --bucket "$bucket"
done
if [ -n "$account" ]; then
  call s3control-get-public-access-block s3control get-public-access-block --account-id "$account"
fi
for table in $(values dynamodb list-tables 'TableNames[]'); do
  call "dynamodb-describe-table--$table" dynamodb describe-table --table-name "$table"
  call "dynamodb-describe-continuous-backups--$table" dynamodb describe-continuous-backups --table-name "$table"
done
call elasticache-describe-cache-clusters elasticache describe-cache-clusters
call elasticache-describe-replication-groups elasticache describe-replication-groups
call elasticache-describe-cache-subnet-groups elasticache describe-cache-subnet-groups

# Messaging
call sqs-list-queues sqs list-queues
for queue in $(values sqs list-queues 'QueueUrls[]'); do
  call "sqs-get-queue-attributes--$(part "$queue")" sqs get-queue-attributes --queue-url "$queue" \
    --attribute-names All
done
call sns-list-topics sns list-topics
call sns-list-subscriptions sns list-subscriptions
for topic in $(values sns list-topics 'Topics[].TopicArn'); do
  call "sns-get-topic-attributes--${topic##*:}" sns get-topic-attributes --topic-arn "$topic"
done

# Identity, keys and secrets
call iam-get-account-authorization-details iam get-account-authorization-details
call kms-list-keys kms list-keys
call kms-list-aliases kms list-aliases
for key in $(values kms list-keys 'Keys[].KeyId'); do
  call "kms-describe-key--$key" kms describe-key --key-id "$key"
  call "kms-get-key-rotation-status--$key" kms get-key-rotation-status --key-id "$key"
done
call secretsmanager-list-secrets secretsmanager list-secrets

# Edges: CloudFront (global), API Gateway, WAF
call cloudfront-list-distributions cloudfront list-distributions
call apigateway-get-rest-apis apigateway get-rest-apis
for api in $(values apigateway get-rest-apis 'items[].id'); do
  call "apigateway-get-resources--$api" apigateway get-resources --rest-api-id "$api" --embed methods
done
call apigatewayv2-get-apis apigatewayv2 get-apis
for api in $(values apigatewayv2 get-apis 'Items[].ApiId'); do
  call "apigatewayv2-get-routes--$api" apigatewayv2 get-routes --api-id "$api"
  call "apigatewayv2-get-integrations--$api" apigatewayv2 get-integrations --api-id "$api"
done
call wafv2-list-web-acls wafv2 list-web-acls --scope REGIONAL
while read -r acl arn; do
  [ -n "$arn" ] || continue
  call "wafv2-list-resources-for-web-acl--$acl" wafv2 list-resources-for-web-acl --web-acl-arn "$arn"
  call "wafv2-list-resources-for-web-acl--$acl--api" wafv2 list-resources-for-web-acl --web-acl-arn "$arn" \
    --resource-type API_GATEWAY
done < <(values wafv2 list-web-acls 'WebACLs[].[Name,ARN]' --scope REGIONAL | paste - -)

# Audit
call cloudtrail-describe-trails cloudtrail describe-trails
for trail in $(values cloudtrail describe-trails 'trailList[].Name'); do
  call "cloudtrail-get-trail-status--$trail" cloudtrail get-trail-status --name "$trail"
done

echo "$calls calls, $failures failed (see $out/*.error.txt); import with: rampart import aws-inventory $out" >&2
