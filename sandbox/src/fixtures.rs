//! Workspaces, users, creator entities and templates the sandbox serves.
//!
//! The built-in fixtures (`sandbox/fixtures/default.json`) are compiled in. Template 1204's
//! field descriptors are not copied there: the fixture names `metadata_ref:
//! "template-1204-metadata.json"` and the sandbox loads the repository's own
//! `tests/fixtures/templates/template-1204-metadata.json` with `include_str!`, so the client's
//! fixture and the sandbox can never drift apart. A `--fixtures FILE` resolves `metadata_ref`
//! relative to that file's folder.
//!
//! This module loads and checks fixtures; it does not validate contracts (see `validate`).

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

const BUILTIN: &str = include_str!("../fixtures/default.json");
const TEMPLATE_1204: &str =
    include_str!("../../tests/fixtures/templates/template-1204-metadata.json");

/// All workspaces.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// Workspaces in declaration order.
    pub workspaces: Vec<WorkspaceFixture>,
}

/// One workspace: credentials, users, entities, templates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceFixture {
    /// Short name used by control endpoints (`?workspace=acme`).
    pub slug: String,
    /// Numeric workspace id (`created_by_workspace`).
    pub id: i64,
    /// Display name of the creator organisation.
    pub name: String,
    /// `client-id` header value.
    pub client_id: String,
    /// `client-secret` header value. Never logged.
    pub client_secret: String,
    /// User the credential acts as when no `user-email` is sent.
    pub default_user: String,
    /// Members.
    pub users: Vec<UserFixture>,
    /// Creator organisation entities; exactly one is `primary`.
    pub entities: Vec<EntityFixture>,
    /// Templates this workspace can use.
    pub templates: Vec<TemplateFixture>,
    /// Base64 webhook HMAC key; generated from the seed when absent.
    #[serde(default)]
    pub hmac_key: Option<String>,
}

/// A workspace member.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFixture {
    /// User id.
    pub id: i64,
    /// Email (case-insensitive match).
    pub email: String,
    /// Full name.
    pub name: String,
    /// Job title.
    #[serde(default)]
    pub designation: String,
    /// Inactive users are refused as `user-email`.
    pub active: bool,
}

/// A creator organisation entity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntityFixture {
    /// `entity_reference_id`.
    pub reference_id: String,
    /// Legal name.
    pub name: String,
    /// Jurisdiction name.
    pub jurisdiction: String,
    /// Entity type label.
    #[serde(rename = "type")]
    pub kind: String,
    /// The default entity when a create omits `entity_reference_id`.
    #[serde(default)]
    pub primary: bool,
}

/// A template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateFixture {
    /// Template id.
    pub id: i64,
    /// Template name (default contract name).
    pub name: String,
    /// Contract type id.
    pub contract_type_id: i64,
    /// Contract type name.
    pub contract_type_name: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Archived templates are hidden from the list unless `include_archived=true`.
    #[serde(default)]
    pub archived: bool,
    /// Whether more than one counterparty is allowed.
    #[serde(default)]
    pub multi_party: bool,
    /// When set, only these creator entities may use the template.
    #[serde(default)]
    pub allowed_entity_reference_ids: Option<Vec<String>>,
    /// Inline metadata.
    #[serde(default)]
    pub metadata: Option<Value>,
    /// File name of the metadata JSON (see module doc).
    #[serde(default)]
    pub metadata_ref: Option<String>,
    /// Resolved metadata (filled by the loader).
    #[serde(skip)]
    pub resolved: Option<TemplateMetadata>,
}

/// Parsed template metadata.
#[derive(Debug, Clone)]
pub struct TemplateMetadata {
    /// The JSON exactly as served by `GET …/templates/{id}/metadata`.
    pub raw: Value,
    /// `Individual`, `Organisation` or `Both`.
    pub counter_party_kind: String,
    /// Field descriptors.
    pub attributes: Vec<Descriptor>,
}

/// One `CfPublicDescriptor`.
#[derive(Debug, Clone, Deserialize)]
pub struct Descriptor {
    /// Label.
    pub display_label: String,
    /// Variable name; nested names contain a `.`.
    pub variable: String,
    /// Field type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Required (default true).
    #[serde(default)]
    pub required: Option<bool>,
    /// Options for `enum` / `array of options`.
    #[serde(default)]
    pub options: Option<Vec<OptionFixture>>,
    /// Group the field belongs to.
    #[serde(default)]
    pub parent_variable: Option<String>,
    /// Group type (`currency`, `duration`, `address`, …).
    #[serde(default)]
    pub parent_type: Option<String>,
    /// Whether the group object must be present.
    #[serde(default)]
    pub parent_required: Option<bool>,
    /// Key inside the group object.
    #[serde(default)]
    pub child_variable: Option<String>,
    /// Row shape for `repeating`.
    #[serde(default)]
    pub attributes: Option<Vec<Descriptor>>,
}

impl Descriptor {
    /// `required` with SpotDraft's default of true.
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(true)
    }
}

/// An option of an `enum` / `array of options` field.
#[derive(Debug, Clone, Deserialize)]
pub struct OptionFixture {
    /// Label.
    pub label: String,
    /// Value sent in `contract_data`.
    #[serde(default)]
    pub value: Value,
}

impl Fixtures {
    /// The compiled-in fixtures.
    ///
    /// # Errors
    /// A message if the built-in JSON is broken (a build defect caught by the tests).
    pub fn builtin() -> Result<Self, String> {
        Self::parse(BUILTIN, &|name| match name {
            "template-1204-metadata.json" => Ok(TEMPLATE_1204.to_owned()),
            other => Err(format!(
                "built-in fixtures reference unknown metadata file {other:?}"
            )),
        })
    }

    /// Fixtures from a file; `metadata_ref` names are resolved next to it.
    ///
    /// # Errors
    /// A message naming the file and the problem.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read fixtures {}: {e}", path.display()))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&text, &|name| {
            if name.contains("..") || name.starts_with('/') {
                return Err(format!("metadata_ref {name:?} must be a plain file name"));
            }
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| format!("cannot read metadata_ref {name:?}: {e}"))
        })
        .map_err(|e| format!("{}: {e}", path.display()))
    }

    fn parse(text: &str, load: &dyn Fn(&str) -> Result<String, String>) -> Result<Self, String> {
        let mut f: Fixtures =
            serde_json::from_str(text).map_err(|e| format!("invalid fixtures JSON: {e}"))?;
        let mut slugs = BTreeSet::new();
        let mut client_ids = BTreeSet::new();
        for ws in &mut f.workspaces {
            if !slugs.insert(ws.slug.clone()) {
                return Err(format!("duplicate workspace slug {:?}", ws.slug));
            }
            if !client_ids.insert(ws.client_id.clone()) {
                return Err(format!("duplicate client_id in workspace {:?}", ws.slug));
            }
            if ws.entities.iter().filter(|e| e.primary).count() != 1 {
                return Err(format!(
                    "workspace {:?} needs exactly one primary entity",
                    ws.slug
                ));
            }
            if !ws
                .users
                .iter()
                .any(|u| u.active && u.email.eq_ignore_ascii_case(&ws.default_user))
            {
                return Err(format!(
                    "workspace {:?}: default_user must be an active user",
                    ws.slug
                ));
            }
            let mut ids = BTreeSet::new();
            for t in &mut ws.templates {
                if !ids.insert(t.id) {
                    return Err(format!(
                        "workspace {:?}: duplicate template {}",
                        ws.slug, t.id
                    ));
                }
                let raw = match (&t.metadata, &t.metadata_ref) {
                    (Some(m), None) => m.clone(),
                    (None, Some(name)) => serde_json::from_str(&load(name)?)
                        .map_err(|e| format!("metadata {name:?}: {e}"))?,
                    _ => {
                        return Err(format!(
                            "template {}: set exactly one of metadata / metadata_ref",
                            t.id
                        ))
                    }
                };
                t.resolved =
                    Some(parse_metadata(raw).map_err(|e| format!("template {}: {e}", t.id))?);
            }
        }
        Ok(f)
    }

    /// Workspace by credential pair. Compares the secret in constant time.
    pub fn by_credentials(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> Option<&WorkspaceFixture> {
        self.workspaces
            .iter()
            .find(|w| w.client_id == client_id)
            .filter(|w| constant_time_eq(w.client_secret.as_bytes(), client_secret.as_bytes()))
    }

    /// Workspace by slug.
    pub fn by_slug(&self, slug: &str) -> Option<&WorkspaceFixture> {
        self.workspaces.iter().find(|w| w.slug == slug)
    }
}

impl WorkspaceFixture {
    /// Template by id.
    pub fn template(&self, id: i64) -> Option<&TemplateFixture> {
        self.templates.iter().find(|t| t.id == id)
    }

    /// Active user by email (case-insensitive).
    pub fn active_user(&self, email: &str) -> Option<&UserFixture> {
        self.users
            .iter()
            .find(|u| u.active && u.email.eq_ignore_ascii_case(email.trim()))
    }

    /// The primary creator entity.
    pub fn primary_entity(&self) -> Option<&EntityFixture> {
        self.entities.iter().find(|e| e.primary)
    }

    /// Entity by reference id.
    pub fn entity(&self, reference_id: &str) -> Option<&EntityFixture> {
        self.entities
            .iter()
            .find(|e| e.reference_id == reference_id)
    }
}

fn parse_metadata(raw: Value) -> Result<TemplateMetadata, String> {
    let kind = raw
        .get("counter_party_kind")
        .and_then(Value::as_str)
        .unwrap_or("Both")
        .to_owned();
    if !matches!(kind.as_str(), "Individual" | "Organisation" | "Both") {
        return Err(format!("unknown counter_party_kind {kind:?}"));
    }
    let attributes: Vec<Descriptor> = serde_json::from_value(
        raw.get("attributes")
            .cloned()
            .unwrap_or(Value::Array(Vec::new())),
    )
    .map_err(|e| format!("attributes: {e}"))?;
    Ok(TemplateMetadata {
        raw,
        counter_party_kind: kind,
        attributes,
    })
}

/// Constant-time byte comparison (length is not secret).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_with_1204_from_shared_fixture() {
        let f = Fixtures::builtin().unwrap();
        let acme = f.by_slug("acme").unwrap();
        let t = acme.template(1204).unwrap();
        let md = t.resolved.as_ref().unwrap();
        let shared: Value = serde_json::from_str(TEMPLATE_1204).unwrap();
        assert_eq!(md.raw, shared);
        assert_eq!(md.counter_party_kind, "Organisation");
        assert!(f
            .by_credentials("sandbox-acme", "sandbox-acme-secret")
            .is_some());
        assert!(f.by_credentials("sandbox-acme", "nope").is_none());
        assert!(f.by_slug("globex").unwrap().template(1204).is_none());
    }
}
