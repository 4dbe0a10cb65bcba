//! Infrastructure-as-code inputs at scale, for the importer benchmarks:
//! the JSON of `terraform show -json` for a plan of N AWS resources, and a
//! set of Kubernetes manifests of N objects. Both are deterministic (the
//! same size and seed always give the same text) and shaped like a real
//! estate rather than N copies of one resource, so that the importers'
//! cross-references (security groups naming each other, listeners naming
//! target groups, environment variables naming queues, tables and
//! services) are exercised at the size they are measured at.
//!
//! | generator                | shape                                                                                   |
//! |:-------------------------|:----------------------------------------------------------------------------------------|
//! | [`terraform_plan`]       | per region a VPC, public and private subnets, gateways, route tables and a KMS key;     |
//! |                          | per app (one in three flat in the root module, the others a `module.<app>` call) a     |
//! |                          | load balancer with listeners and a target group, security groups referencing each      |
//! |                          | other, instances, RDS, S3 with its satellites, Lambda with environment variables        |
//! |                          | naming tables, queues and buckets (also of other apps), SQS, DynamoDB, IAM roles       |
//! | [`kubernetes_manifests`] | per team a Namespace with a default-deny NetworkPolicy; per app a Deployment or        |
//! |                          | StatefulSet, Service, ServiceAccount, RoleBinding, ConfigMap, Secret, NetworkPolicy,   |
//! |                          | sometimes an Ingress, a database StatefulSet and a cache, with environment variables  |
//! |                          | naming services in the same and other namespaces and outside APIs                      |

mod kubernetes;
mod names;
mod terraform;

pub use kubernetes::{kubernetes_manifest_files, kubernetes_manifests};
pub use terraform::terraform_plan;
