provider "google" {
  project = "acme-newsletter"
  region  = "europe-west1"
}

resource "google_compute_network" "main" {
  name                    = "newsletter"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "apps" {
  name          = "apps"
  network       = google_compute_network.main.id
  ip_cidr_range = "10.50.0.0/20"
  region        = "europe-west1"
}

resource "google_compute_firewall" "ssh" {
  name          = "allow-ssh"
  network       = google_compute_network.main.name
  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["ssh"]

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}

resource "google_compute_firewall" "web" {
  name          = "allow-web"
  network       = google_compute_network.main.name
  source_ranges = ["0.0.0.0/0"]
  target_tags   = ["web"]

  allow {
    protocol = "tcp"
    ports    = ["443"]
  }
}

resource "google_service_account" "mailer" {
  account_id = "mailer"
}

resource "google_project_iam_member" "mailer_editor" {
  project = "acme-newsletter"
  role    = "roles/editor"
  member  = "serviceAccount:${google_service_account.mailer.email}"
}

resource "google_compute_instance" "admin" {
  name         = "newsletter-admin"
  machine_type = "e2-small"
  zone         = "europe-west1-b"
  tags         = ["ssh", "web"]

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    subnetwork = google_compute_subnetwork.apps.id
    access_config {}
  }
}

resource "google_container_cluster" "main" {
  name       = "newsletter"
  location   = "europe-west1"
  network    = google_compute_network.main.id
  subnetwork = google_compute_subnetwork.apps.id

  initial_node_count = 1

  workload_identity_config {
    workload_pool = "acme-newsletter.svc.id.goog"
  }
}

resource "google_cloud_run_v2_service" "signup" {
  name     = "signup"
  location = "europe-west1"
  ingress  = "INGRESS_TRAFFIC_ALL"

  template {
    service_account = google_service_account.mailer.email

    containers {
      image = "europe-docker.pkg.dev/acme-newsletter/apps/signup:1.8.0"

      env {
        name  = "SUBSCRIBERS_TOPIC"
        value = google_pubsub_topic.subscribers.id
      }

      env {
        name  = "DB_HOST"
        value = google_sql_database_instance.main.private_ip_address
      }

      env {
        name = "DB_PASSWORD"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.db_password.secret_id
            version = "latest"
          }
        }
      }
    }
  }
}

resource "google_cloud_run_v2_service_iam_member" "public" {
  name     = google_cloud_run_v2_service.signup.name
  location = google_cloud_run_v2_service.signup.location
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloudfunctions_function" "sender" {
  name                  = "sender"
  runtime               = "python312"
  entry_point           = "send"
  available_memory_mb   = 256
  source_archive_bucket = google_storage_bucket.exports.name
  source_archive_object = "sender.zip"

  event_trigger {
    event_type = "google.pubsub.topic.publish"
    resource   = google_pubsub_topic.subscribers.id
  }

  environment_variables = {
    EXPORT_BUCKET = google_storage_bucket.exports.name
  }
}

resource "google_pubsub_topic" "subscribers" {
  name = "subscribers"
}

resource "google_sql_database_instance" "main" {
  name             = "newsletter"
  database_version = "POSTGRES_16"
  region           = "europe-west1"

  settings {
    tier = "db-custom-2-7680"

    ip_configuration {
      ipv4_enabled = true
      require_ssl  = false

      authorized_networks {
        name  = "anywhere"
        value = "0.0.0.0/0"
      }
    }

    backup_configuration {
      enabled = true
    }

    user_labels = {
      data-classification = "confidential"
    }
  }
}

resource "google_storage_bucket" "exports" {
  name                        = "acme-newsletter-exports"
  location                    = "EU"
  uniform_bucket_level_access = true

  labels = {
    data-classification = "confidential"
    data-category       = "pii"
  }
}

resource "google_storage_bucket_iam_member" "exports_public" {
  bucket = google_storage_bucket.exports.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_kms_key_ring" "main" {
  name     = "newsletter"
  location = "europe-west1"
}

resource "google_kms_crypto_key" "data" {
  name            = "data"
  key_ring        = google_kms_key_ring.main.id
  rotation_period = "7776000s"
}

resource "google_secret_manager_secret" "db_password" {
  secret_id = "db-password"

  replication {
    auto {}
  }
}
