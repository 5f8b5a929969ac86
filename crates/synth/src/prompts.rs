//! Prompt templates of the model roles (minijinja). The built-in ones live in
//! `crates/synth/prompts/ROLE.{system,user}.j2`; `hardgen.toml` may replace either per role
//! (`system_prompt`, `user_prompt`). Every user prompt of a role that improves an offline
//! answer ends with a `Draft:` line holding that answer (`Request:` for the query writer).

use minijinja::Environment;
use serde::Serialize;

/// The built-in templates: (role, system, user).
const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "query_writer",
        include_str!("../prompts/query_writer.system.j2"),
        include_str!("../prompts/query_writer.user.j2"),
    ),
    (
        "reasoner",
        include_str!("../prompts/reasoner.system.j2"),
        include_str!("../prompts/reasoner.user.j2"),
    ),
    (
        "tool_maker",
        include_str!("../prompts/tool_maker.system.j2"),
        include_str!("../prompts/tool_maker.user.j2"),
    ),
    (
        "judgement",
        include_str!("../prompts/judgement.system.j2"),
        include_str!("../prompts/judgement.user.j2"),
    ),
    (
        "verifier",
        include_str!("../prompts/verifier.system.j2"),
        include_str!("../prompts/verifier.user.j2"),
    ),
];

/// A template that failed to render (names the role and part).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("prompt template {role}.{part}: {message}")]
pub struct PromptError {
    /// Role.
    pub role: String,
    /// `system` or `user`.
    pub part: &'static str,
    /// What failed.
    pub message: String,
}

/// A role's two templates, compiled.
#[derive(Debug)]
pub struct Prompts {
    role: String,
    env: Environment<'static>,
}

impl Prompts {
    /// The templates of `role`: the overrides when given, else the built-in ones.
    pub fn new(
        role: &str,
        system: Option<String>,
        user: Option<String>,
    ) -> Result<Prompts, PromptError> {
        let (_, s, u) = BUILT_IN
            .iter()
            .find(|(r, _, _)| *r == role)
            .ok_or_else(|| PromptError {
                role: role.to_string(),
                part: "system",
                message: "no such role".into(),
            })?;
        let mut env = Environment::new();
        for (part, text) in [
            ("system", system.unwrap_or_else(|| s.to_string())),
            ("user", user.unwrap_or_else(|| u.to_string())),
        ] {
            env.add_template_owned(part, text)
                .map_err(|e| PromptError {
                    role: role.to_string(),
                    part: if part == "system" { "system" } else { "user" },
                    message: e.to_string(),
                })?;
        }
        Ok(Prompts {
            role: role.to_string(),
            env,
        })
    }

    /// The built-in templates of `role`.
    pub fn built_in(role: &str) -> Prompts {
        // The built-in templates are tested to compile for every role.
        Prompts::new(role, None, None).unwrap_or_else(|_| Prompts {
            role: role.to_string(),
            env: Environment::new(),
        })
    }

    fn render(&self, part: &'static str, ctx: &impl Serialize) -> Result<String, PromptError> {
        let err = |e: minijinja::Error| PromptError {
            role: self.role.clone(),
            part,
            message: e.to_string(),
        };
        self.env
            .get_template(part)
            .map_err(err)?
            .render(minijinja::value::Serde(ctx))
            .map(|s| s.trim().to_string())
            .map_err(err)
    }

    /// The system prompt for `ctx`.
    pub fn system(&self, ctx: &impl Serialize) -> Result<String, PromptError> {
        self.render("system", ctx)
    }

    /// The user prompt for `ctx`.
    pub fn user(&self, ctx: &impl Serialize) -> Result<String, PromptError> {
        self.render("user", ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_compiles_and_renders() {
        for (role, _, _) in BUILT_IN {
            let p = Prompts::new(role, None, None).expect("compiles");
            let ctx = serde_json::json!({"draft": "d", "must_state": ["a"], "mode": "text",
                "functions": ["{}"], "query": "q", "hints": ["h"], "steps": [], "parameters": [],
                "result_fields": [], "calls": [], "answer": "", "failed": [], "findings": [],
                "situation": "s", "conversation": ["User: q"], "feedback": "f"});
            assert!(!p.system(&ctx).expect("system").is_empty(), "{role}");
            assert!(!p.user(&ctx).expect("user").is_empty(), "{role}");
        }
    }

    #[test]
    fn an_override_replaces_the_built_in_template() {
        let p = Prompts::new("query_writer", None, Some("Say: {{ draft }}".into())).expect("ok");
        assert_eq!(
            p.user(&serde_json::json!({"draft": "hi"}))
                .expect("renders"),
            "Say: hi"
        );
        let e = Prompts::new("query_writer", Some("{{ broken".into()), None).expect_err("bad");
        assert!(
            e.to_string()
                .starts_with("prompt template query_writer.system"),
            "{e}"
        );
    }
}
