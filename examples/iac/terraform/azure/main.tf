provider "azurerm" {
  features {}
}

variable "location" {
  default = "westeurope"
}

resource "azurerm_resource_group" "booking" {
  name     = "booking-prod"
  location = var.location
}

resource "azurerm_virtual_network" "main" {
  name                = "booking-vnet"
  address_space       = ["10.40.0.0/16"]
  location            = var.location
  resource_group_name = azurerm_resource_group.booking.name
}

resource "azurerm_subnet" "gateway" {
  name                 = "gateway"
  resource_group_name  = azurerm_resource_group.booking.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.40.1.0/24"]
}

resource "azurerm_subnet" "apps" {
  name                 = "apps"
  resource_group_name  = azurerm_resource_group.booking.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.40.2.0/24"]
}

resource "azurerm_subnet" "aks" {
  name                 = "aks"
  resource_group_name  = azurerm_resource_group.booking.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.40.8.0/21"]
}

resource "azurerm_public_ip" "gateway" {
  name                = "booking-gateway"
  location            = var.location
  resource_group_name = azurerm_resource_group.booking.name
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_application_gateway" "front" {
  name                = "booking-front"
  location            = var.location
  resource_group_name = azurerm_resource_group.booking.name

  sku {
    name     = "WAF_v2"
    tier     = "WAF_v2"
    capacity = 2
  }

  waf_configuration {
    enabled          = true
    firewall_mode    = "Prevention"
    rule_set_version = "3.2"
  }

  ssl_policy {
    policy_type          = "Predefined"
    policy_name          = "AppGwSslPolicy20220101S"
  }

  gateway_ip_configuration {
    name      = "gateway"
    subnet_id = azurerm_subnet.gateway.id
  }

  frontend_port {
    name = "https"
    port = 443
  }

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.gateway.id
  }

  backend_address_pool {
    name  = "web"
    fqdns = [azurerm_linux_web_app.web.default_hostname]
  }

  backend_http_settings {
    name                  = "web"
    cookie_based_affinity = "Disabled"
    port                  = 443
    protocol              = "Https"
    request_timeout       = 30
  }

  http_listener {
    name                           = "https"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "https"
    protocol                       = "Https"
    ssl_certificate_name           = "booking"
  }

  request_routing_rule {
    name                       = "web"
    priority                   = 10
    rule_type                  = "Basic"
    http_listener_name         = "https"
    backend_address_pool_name  = "web"
    backend_http_settings_name = "web"
  }
}

resource "azurerm_service_plan" "apps" {
  name                = "booking-apps"
  location            = var.location
  resource_group_name = azurerm_resource_group.booking.name
  os_type             = "Linux"
  sku_name            = "P1v3"
}

resource "azurerm_linux_web_app" "web" {
  name                      = "booking-web"
  location                  = var.location
  resource_group_name       = azurerm_resource_group.booking.name
  service_plan_id           = azurerm_service_plan.apps.id
  https_only                = true
  virtual_network_subnet_id = azurerm_subnet.apps.id

  site_config {
    minimum_tls_version = "1.2"
  }

  app_settings = {
    DATABASE_HOST       = azurerm_postgresql_flexible_server.bookings.fqdn
    STORAGE_ACCOUNT_URL = azurerm_storage_account.documents.primary_blob_endpoint
    SERVICEBUS_NAMESPACE = "${azurerm_servicebus_namespace.events.name}.servicebus.windows.net"
    KEYVAULT_URI        = azurerm_key_vault.main.vault_uri
  }
}

resource "azurerm_linux_function_app" "reminders" {
  name                       = "booking-reminders"
  location                   = var.location
  resource_group_name        = azurerm_resource_group.booking.name
  service_plan_id            = azurerm_service_plan.apps.id
  storage_account_name       = azurerm_storage_account.documents.name
  virtual_network_subnet_id  = azurerm_subnet.apps.id

  site_config {
    minimum_tls_version = "1.1"
  }

  app_settings = {
    SERVICEBUS_CONNECTION = azurerm_servicebus_namespace.events.default_primary_connection_string
    SMS_API_URL           = "https://api.sms-gateway.example.net/v1/messages"
  }
}

resource "azurerm_kubernetes_cluster" "main" {
  name                = "booking-aks"
  location            = var.location
  resource_group_name = azurerm_resource_group.booking.name
  dns_prefix          = "booking"

  default_node_pool {
    name           = "system"
    node_count     = 3
    vm_size        = "Standard_D4s_v5"
    vnet_subnet_id = azurerm_subnet.aks.id
  }

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_postgresql_flexible_server" "bookings" {
  name                          = "booking-db"
  resource_group_name           = azurerm_resource_group.booking.name
  location                      = var.location
  version                       = "16"
  administrator_login           = "booking"
  administrator_password        = var.db_password
  sku_name                      = "GP_Standard_D2s_v3"
  public_network_access_enabled = true

  tags = {
    DataClassification = "confidential"
    DataCategory       = "pii"
  }
}

variable "db_password" {
  type      = string
  sensitive = true
}

resource "azurerm_postgresql_flexible_server_firewall_rule" "anyone" {
  name             = "anyone"
  server_id        = azurerm_postgresql_flexible_server.bookings.id
  start_ip_address = "0.0.0.0"
  end_ip_address   = "255.255.255.255"
}

resource "azurerm_storage_account" "documents" {
  name                            = "bookingdocs"
  resource_group_name             = azurerm_resource_group.booking.name
  location                        = var.location
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = true

  tags = {
    DataClassification = "internal"
  }
}

resource "azurerm_storage_container" "brochures" {
  name                  = "brochures"
  storage_account_id    = azurerm_storage_account.documents.id
  container_access_type = "blob"
}

resource "azurerm_key_vault" "main" {
  name                     = "booking-kv"
  location                 = var.location
  resource_group_name      = azurerm_resource_group.booking.name
  tenant_id                = "00000000-0000-0000-0000-000000000000"
  sku_name                 = "standard"
  purge_protection_enabled = true

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}

resource "azurerm_key_vault_secret" "smtp" {
  name         = "smtp-password"
  value        = var.db_password
  key_vault_id = azurerm_key_vault.main.id
}

resource "azurerm_servicebus_namespace" "events" {
  name                = "booking-events"
  location            = var.location
  resource_group_name = azurerm_resource_group.booking.name
  sku                 = "Standard"
  minimum_tls_version = "1.2"
}

resource "azurerm_servicebus_queue" "reminders" {
  name         = "reminders"
  namespace_id = azurerm_servicebus_namespace.events.id
}
