//! Threats over HTTP on each database: the lifecycle of a decision by role
//! (a developer proposes, a security architect accepts), If-Match on every
//! change, decisions carried to later versions, comments, countermeasure
//! status, and the threats list's pages, filters and sorts.

#[path = "support/server.rs"]
mod server;

use serde_json::{Value, json};
use server::{Backend, Client, TestServer, backends, example, fixture, project_with_model};

/// A member of `project` with `role`, signed in.
async fn member(server: &TestServer, admin: &Client, project_id: &str, username: &str, role: &str) -> Client {
    let user_id = server.create_user("Acme", username, false).await;
    admin.ok("PUT", &format!("/api/v1/projects/{project_id}/members/{user_id}"), Some(json!({"role": role}))).await;
    server.login(username).await
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> String {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

async fn lifecycle(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let document = fixture("small.yaml");
    let (_, project_id, model_id) = project_with_model(&admin, "Retail", "Shop", &document).await;
    let developer = member(&server, &admin, &project_id, "dev", "developer").await;
    let architect = member(&server, &admin, &project_id, "arch", "security-architect").await;

    let open = admin.ok("GET", &format!("/api/v1/models/{model_id}/threats?status=open&sort=id&limit=1"), None).await;
    let threat_id = open["items"][0]["id"].as_str().expect("an open threat").to_string();
    let path = format!("/api/v1/models/{model_id}/threats/{threat_id}");
    let (status, headers, threat) = developer.get(&path).await;
    assert_eq!(status, 200, "{threat}");
    assert_eq!(threat["decision"]["status"], "open");
    assert_eq!(threat["decision"]["revision"], 0);
    let etag = header(&headers, "etag");
    assert_eq!(threat["decision"]["etag"], etag.as_str());
    assert!(threat["analysis"]["countermeasures"].is_array(), "{threat}");

    // A developer takes it on.
    let change = json!({"status": "in-progress", "owner": "orders team", "due_date": "2027-01-31"});
    let (status, headers, decision) = developer.send_with("PATCH", &path, &[("if-match", &etag)], Some(change)).await;
    assert_eq!(status, 200, "{decision}");
    assert_eq!(decision["status"], "in-progress");
    assert_eq!(decision["owner"], "orders team");
    assert_eq!(decision["due_date"], "2027-01-31");
    assert_eq!(decision["revision"], 1);
    assert_eq!(decision["updated_by"], "dev");
    let first_etag = etag;
    let etag = header(&headers, "etag");
    assert_ne!(etag, first_etag);

    // Accepting a risk needs a justification.
    let (status, _, missing) =
        architect.send_with("PATCH", &path, &[("if-match", &etag)], Some(json!({"status": "accepted"}))).await;
    assert_eq!(status, 400, "{missing}");
    assert_eq!(missing["error"]["field"], "justification");

    // Accepting a risk is for an architect: a developer's request is a proposal.
    let accept = json!({"status": "accepted", "justification": "Only staff reach it, through the VPN"});
    let (status, headers, proposal) =
        developer.send_with("PATCH", &path, &[("if-match", &etag)], Some(accept.clone())).await;
    assert_eq!(status, 202, "{proposal}");
    assert_eq!(proposal["status"], "in-progress", "the status is unchanged: {proposal}");
    assert_eq!(proposal["proposed_status"], "accepted");
    assert_eq!(proposal["proposed_by"], "dev");
    assert_eq!(proposal["proposed_justification"], "Only staff reach it, through the VPN");
    let etag = header(&headers, "etag");

    // Refusals, none of which changes the decision.
    let (status, _, bad_date) =
        architect.send_with("PATCH", &path, &[("if-match", &etag)], Some(json!({"due_date": "2027-02-30"}))).await;
    assert_eq!(status, 400, "{bad_date}");
    assert_eq!(bad_date["error"]["field"], "due_date");
    let (status, _, bad_status) =
        architect.send_with("PATCH", &path, &[("if-match", &etag)], Some(json!({"status": "ignored"}))).await;
    assert_eq!(status, 400, "{bad_status}");
    assert_eq!(bad_status["error"]["field"], "status");
    let (status, _, empty) = architect.send_with("PATCH", &path, &[("if-match", &etag)], Some(json!({}))).await;
    assert_eq!(status, 400, "an empty change is refused, not a new revision: {empty}");
    assert!(empty["error"]["message"].as_str().unwrap_or_default().contains("the change is empty"), "{empty}");
    // A misspelt field is refused, not dropped: `expires` is the acceptance expiry's name.
    let misspelt = json!({"status": "accepted", "justification": "VPN only", "acceptance_expires": "2027-06-30"});
    let (status, _, unknown) = architect.send_with("PATCH", &path, &[("if-match", &etag)], Some(misspelt)).await;
    assert_eq!(status, 400, "{unknown}");
    assert_eq!(unknown["error"]["code"], "invalid-body");
    let message = unknown["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("unknown field `acceptance_expires`") && message.contains("`expires`"), "{message}");
    let (status, _, stale) =
        architect.send_with("PATCH", &path, &[("if-match", &first_etag)], Some(accept.clone())).await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(stale["error"]["code"], "conflict");
    let (status, _, no_match) = architect.send("PATCH", &path, Some(accept.clone())).await;
    assert_eq!(status, 428, "{no_match}");
    assert_eq!(no_match["error"]["code"], "if-match-required");
    let (status, _, anonymous_attempt) =
        Client::anonymous(&server.base).send_with("PATCH", &path, &[("if-match", "*")], Some(accept.clone())).await;
    assert_eq!(status, 401, "{anonymous_attempt}");
    let unchanged = architect.ok("GET", &path, None).await;
    assert_eq!(unchanged["decision"]["status"], "in-progress", "{unchanged}");
    assert_eq!(unchanged["decision"]["revision"], 2);
    assert_eq!(unchanged["decision"]["etag"], etag.as_str());

    // The architect accepts.
    let (status, headers, accepted) = architect.send_with("PATCH", &path, &[("if-match", &etag)], Some(accept)).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["justification"], "Only staff reach it, through the VPN");
    assert_eq!(accepted["proposed_status"], Value::Null, "the proposal is settled");
    assert_eq!(accepted["owner"], "orders team", "fields not sent are kept");
    assert_eq!(accepted["updated_by"], "arch");
    assert_ne!(header(&headers, "etag"), etag);

    // The decision is carried to the next version by the threat's id.
    let model = admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    let next = document.replace("name: Small shop", "name: Small shop\ndescription: Second version");
    let (status, _, saved) = admin
        .send_with(
            "PUT",
            &format!("/api/v1/models/{model_id}"),
            &[("if-match", model["etag"].as_str().unwrap())],
            Some(json!({"document": next})),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["model"]["head_version"], 2);
    let carried = developer.ok("GET", &path, None).await;
    assert_eq!(carried["decision"]["status"], "accepted", "{carried}");
    assert_eq!(carried["status"], "accepted");
    assert_eq!(carried["owner"], "orders team");
    let accepted_list = developer.ok("GET", &format!("/api/v1/models/{model_id}/threats?status=accepted"), None).await;
    let listed: Vec<&str> =
        accepted_list["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(listed.contains(&threat_id.as_str()), "{accepted_list}");

    // Comments, oldest first, paged.
    let comments = format!("{path}/comments");
    for (client, body) in [(&developer, "First look"), (&architect, "Agreed"), (&developer, "Ticket filed")] {
        let (status, _, comment) = client.send("POST", &comments, Some(json!({"body": body}))).await;
        assert_eq!(status, 201, "{comment}");
        assert_eq!(comment["body"], body);
    }
    let all = developer.ok("GET", &comments, None).await;
    assert_eq!(all["total"], 3);
    let bodies: Vec<&str> = all["items"].as_array().unwrap().iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["First look", "Agreed", "Ticket filed"]);
    // Written within a millisecond of each other, they still get times in the order written.
    let times: Vec<time::OffsetDateTime> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = c["created_at"].as_str().unwrap();
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).expect(text)
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    let authors: Vec<&str> = all["items"].as_array().unwrap().iter().map(|c| c["author"].as_str().unwrap()).collect();
    assert_eq!(authors, ["dev", "arch", "dev"]);
    let page = developer.ok("GET", &format!("{comments}?limit=2&offset=2"), None).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(page["items"][0]["body"], "Ticket filed");
    assert_eq!(page["total"], 3);
    let (status, _, empty) = developer.send("POST", &comments, Some(json!({"body": "   "}))).await;
    assert_eq!(status, 400, "{empty}");
    assert_eq!(empty["error"]["field"], "body");
    let (status, _, nowhere) = developer
        .send("POST", &format!("/api/v1/models/{model_id}/threats/no-such@threat/comments"), Some(json!({"body": "x"})))
        .await;
    assert_eq!(status, 404, "{nowhere}");

    // Countermeasures: a developer may implement one, only an architect may require it.
    let countermeasures = developer.ok("GET", &format!("/api/v1/models/{model_id}/countermeasures"), None).await;
    let list = countermeasures.as_array().expect("a list");
    assert!(list.len() > 2, "{countermeasures}");
    let recommended: Vec<&Value> = list.iter().filter(|c| c["status"] == "recommended").collect();
    assert!(recommended.len() >= 2, "{countermeasures}");
    assert!(recommended.iter().all(|c| c["present_in_model"] == false && c["threats"].as_i64().unwrap() > 0));
    let (first, second) = (recommended[0]["id"].as_str().unwrap(), recommended[1]["id"].as_str().unwrap());
    let first_path = format!("/api/v1/models/{model_id}/countermeasures/{first}");
    let second_path = format!("/api/v1/models/{model_id}/countermeasures/{second}");
    let (status, _, implemented) = developer
        .send_with(
            "PATCH",
            &first_path,
            &[("if-match", recommended[0]["etag"].as_str().unwrap())],
            Some(json!({"status": "implemented", "note": "Done in PR 12"})),
        )
        .await;
    assert_eq!(status, 200, "{implemented}");
    assert_eq!((implemented["status"].as_str(), implemented["revision"].as_i64()), (Some("implemented"), Some(1)));
    assert_eq!(implemented["note"], "Done in PR 12");
    let (status, _, forbidden) =
        developer.send_with("PATCH", &second_path, &[("if-match", "*")], Some(json!({"status": "required"}))).await;
    assert_eq!(status, 403, "{forbidden}");
    let (status, _, stale) = architect
        .send_with(
            "PATCH",
            &first_path,
            &[("if-match", recommended[0]["etag"].as_str().unwrap())],
            Some(json!({"status": "required"})),
        )
        .await;
    assert_eq!(status, 409, "the first one moved on: {stale}");
    let (status, _, required) = architect
        .send_with(
            "PATCH",
            &second_path,
            &[("if-match", recommended[1]["etag"].as_str().unwrap())],
            Some(json!({"status": "required"})),
        )
        .await;
    assert_eq!(status, 200, "{required}");
    assert_eq!(required["status"], "required");
    let (status, _, unknown) =
        architect.send_with("PATCH", &second_path, &[("if-match", "*")], Some(json!({"status": "done"}))).await;
    assert_eq!(status, 400, "{unknown}");
    assert_eq!(unknown["error"]["field"], "status");
    let (status, _, no_match) = architect.send("PATCH", &second_path, Some(json!({"status": "implemented"}))).await;
    assert_eq!(status, 428, "{no_match}");
    let after = developer.ok("GET", &format!("/api/v1/models/{model_id}/countermeasures"), None).await;
    let status_of = |id: &str| after.as_array().unwrap().iter().find(|c| c["id"] == id).map(|c| c["status"].clone());
    assert_eq!(status_of(first), Some(json!("implemented")));
    assert_eq!(status_of(second), Some(json!("required")));

    // Waiving one (not applicable here) is the architect's, as is taking the waiver back.
    let waive = json!({"status": "not-applicable", "note": "No card data reaches this service"});
    let (status, _, body) = developer.send_with("PATCH", &first_path, &[("if-match", "*")], Some(waive.clone())).await;
    assert_eq!(status, 403, "{body}");
    let (status, _, waived) = architect.send_with("PATCH", &first_path, &[("if-match", "*")], Some(waive)).await;
    assert_eq!(status, 200, "{waived}");
    assert_eq!(
        (waived["status"].as_str(), waived["note"].as_str()),
        (Some("not-applicable"), Some("No card data reaches this service"))
    );
    let back = json!({"status": "recommended"});
    let (status, _, body) = developer.send_with("PATCH", &first_path, &[("if-match", "*")], Some(back.clone())).await;
    assert_eq!(status, 403, "a developer cannot take a waiver back: {body}");
    let listed = developer.ok("GET", &format!("/api/v1/models/{model_id}/countermeasures"), None).await;
    let waived_now = listed.as_array().unwrap().iter().find(|c| c["id"] == first).map(|c| c["status"].clone());
    assert_eq!(waived_now, Some(json!("not-applicable")), "the refused change changed nothing");
    let (status, _, body) = architect.send_with("PATCH", &first_path, &[("if-match", "*")], Some(back)).await;
    assert_eq!((status.as_u16(), body["status"].as_str()), (200, Some("recommended")), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_threat_goes_through_its_lifecycle() {
    for backend in backends() {
        lifecycle(backend).await;
    }
}

fn column(page: &Value, name: &str) -> Vec<Value> {
    page["items"].as_array().expect("items").iter().map(|t| t[name].clone()).collect()
}

fn strings(values: &[Value]) -> Vec<String> {
    values.iter().map(|v| v.as_str().expect("text").to_string()).collect()
}

async fn lists(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &example("ecommerce.yaml")).await;
    let threats = format!("/api/v1/models/{model_id}/threats");

    // Pages: disjoint, together the whole list.
    let everything = admin.ok("GET", &format!("{threats}?limit=500&sort=id"), None).await;
    let total = everything["total"].as_i64().unwrap();
    let all_ids = strings(&column(&everything, "id"));
    assert_eq!(all_ids.len() as i64, total);
    let mut paged = Vec::new();
    for offset in (0..total).step_by(20) {
        let page = admin.ok("GET", &format!("{threats}?limit=20&offset={offset}&sort=id"), None).await;
        assert_eq!(
            (page["limit"].as_i64(), page["offset"].as_i64(), page["total"].as_i64()),
            (Some(20), Some(offset), Some(total))
        );
        paged.extend(strings(&column(&page, "id")));
    }
    assert_eq!(paged, all_ids, "the pages, in order, are the whole list");
    let past_end = admin.ok("GET", &format!("{threats}?offset={total}"), None).await;
    assert_eq!(past_end["items"].as_array().map(Vec::len), Some(0));
    assert_eq!(past_end["total"], total);

    // Filters.
    let accepted = admin.ok("GET", &format!("{threats}?status=accepted&limit=500"), None).await;
    assert!(accepted["total"].as_i64().unwrap() > 0, "the example accepts risks: {accepted}");
    assert!(column(&accepted, "status").iter().all(|s| s == "accepted"));
    let unresolved = admin.ok("GET", &format!("{threats}?status=unresolved&limit=500"), None).await;
    assert!(column(&unresolved, "status").iter().all(|s| s == "open" || s == "in-progress"));
    assert!(column(&unresolved, "status").iter().any(|s| s == "in-progress"), "the example has work in progress");
    assert!(unresolved["total"].as_i64().unwrap() + accepted["total"].as_i64().unwrap() <= total);
    let high = admin.ok("GET", &format!("{threats}?min_severity=high&limit=500"), None).await;
    let high_total = high["total"].as_i64().unwrap();
    assert!(0 < high_total && high_total < total, "{high_total} of {total}");
    assert!(column(&high, "severity").iter().all(|s| s == "high" || s == "critical"), "{high}");
    let rule = everything["items"][0]["rule"].as_str().unwrap().to_string();
    let by_rule = admin.ok("GET", &format!("{threats}?rule={rule}&limit=500"), None).await;
    assert!(by_rule["total"].as_i64().unwrap() >= 1);
    assert!(column(&by_rule, "rule").iter().all(|r| r == rule.as_str()));
    let on_storefront = admin.ok("GET", &format!("{threats}?target=storefront&limit=500"), None).await;
    assert!(on_storefront["total"].as_i64().unwrap() >= 1);
    assert!(column(&on_storefront, "target").iter().all(|t| t == "storefront"));
    let title = everything["items"][0]["title"].as_str().unwrap();
    let word: String = title.split_whitespace().max_by_key(|w| w.len()).unwrap().to_uppercase();
    let by_title = admin.ok("GET", &format!("{threats}?q={}&limit=500", urlencode(&word)), None).await;
    assert!(by_title["total"].as_i64().unwrap() >= 1, "{word}: {by_title}");
    assert!(
        strings(&column(&by_title, "title")).iter().all(|t| t.to_uppercase().contains(&word)),
        "titles contain {word}: {by_title}"
    );
    let combined =
        admin.ok("GET", &format!("{threats}?status=unresolved&min_severity=high&target=storefront"), None).await;
    for threat in combined["items"].as_array().unwrap() {
        assert_eq!(threat["target"], "storefront");
        assert!(threat["severity"] == "high" || threat["severity"] == "critical");
    }

    // Sorts.
    let scores = |page: &Value| -> Vec<f64> { column(page, "score").iter().map(|s| s.as_f64().unwrap()).collect() };
    let default = admin.ok("GET", &format!("{threats}?limit=500"), None).await;
    assert!(scores(&default).windows(2).all(|w| w[0] >= w[1]), "highest score first by default");
    let ascending = admin.ok("GET", &format!("{threats}?limit=500&sort=score"), None).await;
    assert!(scores(&ascending).windows(2).all(|w| w[0] <= w[1]), "lowest first with sort=score");
    for (sort, field) in [("id", "id"), ("target", "target"), ("status", "status"), ("title", "title")] {
        let page = admin.ok("GET", &format!("{threats}?limit=500&sort={sort}"), None).await;
        let values = strings(&column(&page, field));
        let mut sorted = values.clone();
        sorted.sort();
        assert_eq!(values, sorted, "sort={sort} orders by {field} (byte order, the same on every database)");
    }

    // What is refused, naming the parameter.
    for (query, field) in [
        ("status=ignored", "status"),
        ("min_severity=extreme", "min_severity"),
        ("sort=-severity", "sort"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-5", "offset"),
        ("version=0", "version"),
        ("version=2", "version"),
    ] {
        let (status, _, error) = admin.get(&format!("{threats}?{query}")).await;
        assert_eq!(status, 400, "{query}: {error}");
        assert_eq!(error["error"]["field"], field, "{query}: {error}");
        assert_eq!(error["error"]["status"], 400);
    }
    let (status, _, error) = admin.get(&format!("{threats}?version=latest")).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["code"], "invalid-query");
}

/// Percent-encodes a query value (letters and digits pass).
fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threats_are_paged_filtered_and_sorted() {
    for backend in backends() {
        lists(backend).await;
    }
}

/// An acceptance whose review date has passed needs attention again: the
/// CI gate's `status=unresolved` lists it, as the CLI's analysis counts it.
async fn expired_acceptances(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, project_id, model_id) = project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let architect = member(&server, &admin, &project_id, "arch", "security-architect").await;
    let threats = format!("/api/v1/models/{model_id}/threats");
    let open = architect.ok("GET", &format!("{threats}?status=open&limit=3&sort=id"), None).await;
    let ids: Vec<String> = strings(&column(&open, "id"));
    assert_eq!(ids.len(), 3, "{open}");
    let unresolved_before = architect.ok("GET", &format!("{threats}?status=unresolved&limit=500"), None).await;
    let count = |page: &Value| page["total"].as_i64().unwrap();
    for (id, expires) in ids.iter().zip([json!("2020-01-31"), json!("2099-12-31"), Value::Null]) {
        let accept = json!({"status": "accepted", "justification": "Reviewed", "expires": expires});
        let (status, _, body) =
            architect.send_with("PATCH", &format!("{threats}/{id}"), &[("if-match", "*")], Some(accept)).await;
        assert_eq!(status, 200, "{body}");
    }
    let (lapsed, current, open_ended) = (&ids[0], &ids[1], &ids[2]);

    let unresolved = architect.ok("GET", &format!("{threats}?status=unresolved&limit=500"), None).await;
    assert_eq!(count(&unresolved), count(&unresolved_before) - 2, "two acceptances hold, one has lapsed: {unresolved}");
    let listed = strings(&column(&unresolved, "id"));
    assert!(listed.contains(lapsed) && !listed.contains(current) && !listed.contains(open_ended), "{unresolved}");
    let entry = unresolved["items"].as_array().unwrap().iter().find(|t| t["id"] == lapsed.as_str()).unwrap();
    assert_eq!(
        (&entry["status"], &entry["expires"], &entry["expired"]),
        (&json!("accepted"), &json!("2020-01-31"), &json!(true))
    );

    let accepted = architect.ok("GET", &format!("{threats}?status=accepted&limit=500"), None).await;
    let expired: Vec<(String, bool)> = accepted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap().to_string(), t["expired"].as_bool().unwrap()))
        .collect();
    for (id, want) in [(lapsed, true), (current, false), (open_ended, false)] {
        assert!(expired.contains(&(id.clone(), want)), "{id} expired={want}: {accepted}");
    }
    let one = architect.ok("GET", &format!("{threats}/{lapsed}"), None).await;
    assert_eq!((&one["expired"], &one["decision"]["expires"]), (&json!(true), &json!("2020-01-31")), "{one}");

    // Reviewed again with a later date, it is resolved once more.
    let renew = json!({"expires": "2099-06-30"});
    let (status, _, body) =
        architect.send_with("PATCH", &format!("{threats}/{lapsed}"), &[("if-match", "*")], Some(renew)).await;
    assert_eq!(status, 200, "{body}");
    let unresolved = architect.ok("GET", &format!("{threats}?status=unresolved&limit=500"), None).await;
    assert_eq!(count(&unresolved), count(&unresolved_before) - 3, "{unresolved}");

    // The same for acceptances the document itself records (`threats:` in
    // the model, as the CLI's users keep them), with no decision stored.
    let (_, _, tracked_id) = project_with_model(&admin, "Ops", "Tracked", &fixture("small.yaml")).await;
    let tracked = format!("/api/v1/models/{tracked_id}/threats");
    let open = admin.ok("GET", &format!("{tracked}?status=open&limit=2&sort=id"), None).await;
    let ids = strings(&column(&open, "id"));
    let document = format!(
        "{}\nthreats:\n  - threat: {}\n    status: accepted\n    justification: Reviewed\n    expires: 2020-01-31\n  \
         - threat: {}\n    status: accepted\n    justification: Reviewed\n    expires: 2099-12-31\n",
        fixture("small.yaml").trim_end(),
        ids[0],
        ids[1]
    );
    let owner = admin.clone();
    let (status, _, body) = owner
        .send_with(
            "PUT",
            &format!("/api/v1/models/{tracked_id}"),
            &[("if-match", "*")],
            Some(json!({"document": document})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let unresolved = owner.ok("GET", &format!("{tracked}?status=unresolved&limit=500"), None).await;
    let listed = strings(&column(&unresolved, "id"));
    assert!(listed.contains(&ids[0]) && !listed.contains(&ids[1]), "the lapsed one only: {unresolved}");
    // The same version asked for by number reads its rows another way (on SQLite, by recent history).
    let by_number = owner.ok("GET", &format!("{tracked}?status=unresolved&limit=500&version=2"), None).await;
    assert_eq!(strings(&column(&by_number, "id")), listed, "{by_number}");
    let accepted = owner.ok("GET", &format!("{tracked}?status=accepted&limit=500"), None).await;
    for (id, expires, expired) in [(&ids[0], "2020-01-31", true), (&ids[1], "2099-12-31", false)] {
        let entry = accepted["items"].as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).cloned().unwrap();
        assert_eq!((&entry["expires"], &entry["expired"]), (&json!(expires), &json!(expired)), "{entry}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acceptance_past_its_expiry_counts_as_unresolved() {
    for backend in backends() {
        expired_acceptances(backend).await;
    }
}

async fn guarded_decisions(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, project_id, model_id) = project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let developer = member(&server, &admin, &project_id, "dev", "developer").await;
    let architect = member(&server, &admin, &project_id, "arch", "security-architect").await;
    let open = admin.ok("GET", &format!("/api/v1/models/{model_id}/threats?status=open&limit=2"), None).await;
    let (first, second) = (open["items"][0]["id"].as_str().unwrap(), open["items"][1]["id"].as_str().unwrap());

    // Many writers with the same ETag: exactly one wins, the others get 409 (on every database).
    let path = format!("/api/v1/models/{model_id}/threats/{first}");
    let etag = developer.ok("GET", &path, None).await["decision"]["etag"].as_str().unwrap().to_string();
    let writers = (0..6).map(|n| {
        let (client, path, etag) = (developer.clone(), path.clone(), etag.clone());
        tokio::spawn(async move {
            let change = json!({"status": "in-progress", "owner": format!("writer {n}")});
            client.send_with("PATCH", &path, &[("if-match", &etag)], Some(change)).await.0
        })
    });
    let mut statuses = Vec::new();
    for writer in writers.collect::<Vec<_>>() {
        statuses.push(writer.await.expect("writer").as_u16());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409], "one write wins, none is lost silently");
    let decided = developer.ok("GET", &path, None).await;
    assert_eq!(decided["decision"]["revision"], 1, "{decided}");

    // An accepted risk's justification and expiry are the architect's: a developer cannot rewrite them.
    let accept = json!({"status": "accepted", "justification": "Internal only", "expires": "2027-06-30"});
    let (status, _, body) = architect.send_with("PATCH", &path, &[("if-match", "*")], Some(accept)).await;
    assert_eq!(status, 200, "{body}");
    for change in [json!({"expires": "2099-12-31"}), json!({"justification": "Nobody cares"})] {
        let (status, _, body) = developer.send_with("PATCH", &path, &[("if-match", "*")], Some(change.clone())).await;
        assert_eq!(status, 403, "{change}: {body}");
    }
    let kept = developer.ok("GET", &path, None).await;
    assert_eq!(kept["decision"]["expires"], "2027-06-30", "{kept}");
    assert_eq!(kept["decision"]["justification"], "Internal only");
    let (status, _, body) =
        developer.send_with("PATCH", &path, &[("if-match", "*")], Some(json!({"owner": "platform team"}))).await;
    assert_eq!(status, 200, "the owner is still the team's to change: {body}");
    let (status, _, body) =
        architect.send_with("PATCH", &path, &[("if-match", "*")], Some(json!({"expires": "2027-12-31"}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires"], "2027-12-31");

    // A developer's proposal, accepted by an architect who sends no justification of their own, keeps the proposal's.
    let second_path = format!("/api/v1/models/{model_id}/threats/{second}");
    let proposal = json!({"status": "false-positive", "justification": "The API is not reachable from outside"});
    let with_expiry = json!({"status": "accepted", "justification": "Later", "expires": "2099-01-01"});
    let (status, _, body) = developer.send_with("PATCH", &second_path, &[("if-match", "*")], Some(with_expiry)).await;
    assert_eq!(status, 403, "a developer does not set an acceptance's expiry: {body}");
    let (status, _, body) = developer.send_with("PATCH", &second_path, &[("if-match", "*")], Some(proposal)).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["expires"], Value::Null);
    let (status, _, body) = architect
        .send_with("PATCH", &second_path, &[("if-match", "*")], Some(json!({"status": "false-positive"})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "false-positive");
    assert_eq!(body["justification"], "The API is not reachable from outside");
    assert_eq!(body["proposed_status"], Value::Null);
    let (status, _, body) =
        developer.send_with("PATCH", &second_path, &[("if-match", "*")], Some(json!({"status": "open"}))).await;
    assert_eq!(status, 200, "a developer may reopen a threat: {body}");

    // Countermeasures: concurrent writers, and a developer cannot undo an architect's requirement.
    let countermeasures = developer.ok("GET", &format!("/api/v1/models/{model_id}/countermeasures"), None).await;
    let target = countermeasures.as_array().unwrap().iter().find(|c| c["status"] == "recommended").expect("one");
    let cm_path = format!("/api/v1/models/{model_id}/countermeasures/{}", target["id"].as_str().unwrap());
    let cm_etag = target["etag"].as_str().unwrap().to_string();
    let writers = (0..4).map(|_| {
        let (client, path, etag) = (architect.clone(), cm_path.clone(), cm_etag.clone());
        tokio::spawn(async move {
            client.send_with("PATCH", &path, &[("if-match", &etag)], Some(json!({"status": "required"}))).await.0
        })
    });
    let mut statuses = Vec::new();
    for writer in writers.collect::<Vec<_>>() {
        statuses.push(writer.await.expect("writer").as_u16());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 409, 409, 409]);
    let (code, _, body) =
        developer.send_with("PATCH", &cm_path, &[("if-match", "*")], Some(json!({"status": "recommended"}))).await;
    assert_eq!(code, 403, "a developer cannot undo `required`: {body}");
    let (code, _, body) =
        developer.send_with("PATCH", &cm_path, &[("if-match", "*")], Some(json!({"status": "implemented"}))).await;
    assert_eq!(code, 200, "but may implement it: {body}");

    // `q` is text, not a pattern.
    for query in ["q=%25", "q=_"] {
        let threats = developer.ok("GET", &format!("/api/v1/models/{model_id}/threats?{query}"), None).await;
        assert_eq!(threats["total"], 0, "{query}: {threats}");
        let models = developer.ok("GET", &format!("/api/v1/projects/{project_id}/models?{query}"), None).await;
        assert_eq!(models["total"], 0, "{query}: {models}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_are_guarded_against_races_and_roles() {
    for backend in backends() {
        guarded_decisions(backend).await;
    }
}

/// A latest list's total and items while saves replace the model with one
/// that has a different number of threats: both must describe the same
/// version, whichever it is, and the page names it. Read in separate statements, a save landing
/// between them gave one version's items with the other's total.
async fn totals_under_saves(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let small = fixture("small.yaml");
    let large = example("ecommerce.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &small).await;
    let saves = {
        let admin = admin.clone();
        let model_id = model_id.clone();
        tokio::spawn(async move {
            for n in 0..40 {
                let document = if n % 2 == 0 { &large } else { &small };
                let (status, _, body) = admin
                    .send_with(
                        "PUT",
                        &format!("/api/v1/models/{model_id}"),
                        &[("if-match", "*")],
                        Some(json!({"document": document, "message": format!("save {n}")})),
                    )
                    .await;
                assert_eq!(status, 200, "save {n}: {body}");
            }
        })
    };
    let mut totals = std::collections::BTreeSet::new();
    let mut reads = 0;
    while !saves.is_finished() {
        for query in ["limit=500", "status=open&limit=500", "sort=target&limit=500"] {
            let page = admin.ok("GET", &format!("/api/v1/models/{model_id}/threats?{query}"), None).await;
            let items = page["items"].as_array().expect("items").len() as i64;
            assert_eq!(Some(items), page["total"].as_i64(), "{query}: one page holds every threat listed");
            // The version it names lists the same, asked for by number.
            let version = page["version"].as_i64().expect("the version listed");
            let by_number = format!("/api/v1/models/{model_id}/threats?{query}&version={version}");
            assert_eq!(admin.ok("GET", &by_number, None).await, page, "{query}, version {version}");
            totals.insert(items);
            reads += 1;
        }
    }
    saves.await.expect("the saves");
    // The reads saw both models, or they proved nothing.
    assert!(totals.len() >= 2, "{reads} reads saw totals {totals:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_latest_list_and_its_total_describe_one_version_while_saves_land() {
    for backend in backends() {
        totals_under_saves(backend).await;
    }
}
