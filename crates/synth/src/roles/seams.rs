//! One trait per role the pipeline calls, each with an offline and a model implementation:
//! [`ToolMaker`] (offline: the tool as its steps give it), [`QueryWriter`] (offline: the
//! realizer's checked draft), [`Verifier`] (offline: the rule hint). A model implementation
//! improves the offline answer, is checked the same way, and retries once with the problem shown.
//! A role answers with the result, a rejection of the round (reason, detail), or a [`RoleError`]
//! (the server failed: an error of the run). The reasoner's seam is [`super::ModelReasoner`]:
//! [`super::LlmReasoner`] runs a model's agent loop, [`OfflineReasoner`] narrates the gold (the
//! offline data path; it is made per round around that round's gold, which only it holds).

use super::judged::{self, ModelToolMaker, ModelVerifier, VerifyTask};
use super::{QueryRewriter, QueryTask, RoleError};
use crate::item::Made;
use crate::query::QueryReject;
use crate::schema_text::Specs;
use hardgen_core::calls::repair::Repair;
use hardgen_core::{AdvancedTool, Reason};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A role's answer for one round: the result, or why the round is rejected.
pub type Answer<T> = Result<T, (Reason, String)>;

/// The Tool Maker role: the advanced tool of a made round.
pub trait ToolMaker: Send + Sync {
    /// Recorded in `generator.tool_maker`.
    fn name(&self) -> &str;
    /// The advanced tool for `made` (with the repairs a model's answer needed).
    fn make(
        &self,
        made: &Made,
        specs: &dyn Specs,
    ) -> Result<Answer<(AdvancedTool, Vec<Repair>)>, RoleError>;
}

/// The offline tool maker: the tool exactly as its steps give it (`maker::signature`).
pub struct OfflineToolMaker;

impl ToolMaker for OfflineToolMaker {
    fn name(&self) -> &str {
        "offline"
    }
    fn make(
        &self,
        made: &Made,
        _: &dyn Specs,
    ) -> Result<Answer<(AdvancedTool, Vec<Repair>)>, RoleError> {
        Ok(Ok((made.tool.clone(), Vec::new())))
    }
}

/// A model names and describes the tool; its answer must keep the inputs and the result.
pub struct ModelMade(pub Arc<dyn ModelToolMaker>);

impl ToolMaker for ModelMade {
    fn name(&self) -> &str {
        self.0.model()
    }
    fn make(
        &self,
        made: &Made,
        specs: &dyn Specs,
    ) -> Result<Answer<(AdvancedTool, Vec<Repair>)>, RoleError> {
        let task = judged::maker_task(made, specs);
        let mut problem: Option<(Reason, String)> = None;
        for _ in 0..2 {
            let feedback = problem.as_ref().map(|(r, d)| format!("{d} ({r})"));
            let reply = self.0.describe(&task, feedback.as_deref())?;
            match judged::apply_maker_reply(made, &reply, specs) {
                Ok(t) => return Ok(Ok(t)),
                Err(p) => problem = Some(p),
            }
        }
        let (reason, detail) = problem.unwrap_or((Reason::Invalid, String::new()));
        Ok(Err((reason, format!("{}: {detail}", self.0.model()))))
    }
}

/// The Query writer role: the round's request, from the offline realizer's checked draft.
pub trait QueryWriter: Send + Sync {
    /// Recorded in `generator.query_writer`.
    fn name(&self) -> &str;
    /// The request for `task`; `check` is what any request must pass.
    fn write(
        &self,
        task: &QueryTask,
        check: &dyn Fn(&str) -> Result<(), QueryReject>,
    ) -> Result<Answer<String>, RoleError>;
}

/// The offline query writer: the realizer's draft (already checked).
pub struct OfflineQueryWriter;

impl QueryWriter for OfflineQueryWriter {
    fn name(&self) -> &str {
        "offline"
    }
    fn write(
        &self,
        task: &QueryTask,
        _: &dyn Fn(&str) -> Result<(), QueryReject>,
    ) -> Result<Answer<String>, RoleError> {
        Ok(Ok(task.draft.clone()))
    }
}

/// A model rewrites the draft; the rewrite must pass the rewrite checks and `check`.
pub struct Rewritten(pub Arc<dyn QueryRewriter>);

impl QueryWriter for Rewritten {
    fn name(&self) -> &str {
        self.0.model()
    }
    fn write(
        &self,
        task: &QueryTask,
        check: &dyn Fn(&str) -> Result<(), QueryReject>,
    ) -> Result<Answer<String>, RoleError> {
        let mut problem: Option<QueryReject> = None;
        for _ in 0..2 {
            let feedback = problem
                .as_ref()
                .map(|e| format!("{} ({})", e.detail, e.reason));
            let text = self.0.rewrite(task, feedback.as_deref())?;
            let verdict = match super::rewrite_problem(&task.draft, &text) {
                Some((reason, detail)) => Err(QueryReject { reason, detail }),
                None => check(&text),
            };
            match verdict {
                Ok(()) => return Ok(Ok(text)),
                Err(e) => problem = Some(e),
            }
        }
        let (reason, detail) =
            problem.map_or((Reason::Invalid, String::new()), |e| (e.reason, e.detail));
        Ok(Err((reason, format!("{}: {detail}", self.0.model()))))
    }
}

/// The Verifier role's hint after a failed attempt (the rule checks decide pass or fail).
pub trait Verifier: Send + Sync {
    /// Recorded in `generator.verifier`.
    fn name(&self) -> &str;
    /// The hint for `task`; it must not state any of `secrets` (gold values the user did not
    /// give).
    fn hint(
        &self,
        task: &VerifyTask,
        secrets: &BTreeSet<String>,
    ) -> Result<(String, Vec<Repair>), RoleError>;
}

/// The rule verifier: its findings are the hint.
pub struct RuleVerifier;

impl Verifier for RuleVerifier {
    fn name(&self) -> &str {
        "rules"
    }
    fn hint(
        &self,
        task: &VerifyTask,
        _: &BTreeSet<String>,
    ) -> Result<(String, Vec<Repair>), RoleError> {
        Ok((task.findings.join(" "), Vec::new()))
    }
}

/// A model writes the hint; one that leaks is retried once, then the rule hint stays.
pub struct ModelHinted(pub Arc<dyn ModelVerifier>);

impl Verifier for ModelHinted {
    fn name(&self) -> &str {
        self.0.model()
    }
    fn hint(
        &self,
        task: &VerifyTask,
        secrets: &BTreeSet<String>,
    ) -> Result<(String, Vec<Repair>), RoleError> {
        let mut feedback: Option<String> = None;
        for _ in 0..2 {
            let reply = self.0.hint(task, feedback.as_deref())?;
            match judged::hint_problem(&reply, secrets) {
                Ok(h) => return Ok(h),
                Err(p) => feedback = Some(p),
            }
        }
        RuleVerifier.hint(task, secrets)
    }
}

/// The offline reasoner behind the reasoner seam: it narrates the round's gold (with the
/// configured slips), takes a hint with the configured probability once hints exist, and runs
/// its calls through the same `exec` a model's calls go through.
pub struct OfflineReasoner<'a> {
    /// The round (its gold is what this reasoner narrates).
    pub made: &'a Made,
    /// The goal phrase of the round's target.
    pub goal: &'a str,
    /// Slip and hint-uptake rates.
    pub cfg: &'a crate::reasoner::ReasonerConfig,
    /// The item's random stream.
    pub rng: std::sync::Mutex<&'a mut rand::rngs::ChaCha8Rng>,
}

impl super::ModelReasoner for OfflineReasoner<'_> {
    fn model(&self) -> &str {
        "offline"
    }

    fn attempt(
        &self,
        task: &super::ReasonTask,
        exec: &mut super::Exec<'_>,
        next_call: &mut usize,
    ) -> Result<crate::reasoner::Attempt, RoleError> {
        use rand::RngExt;
        let mut rng = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // After a failed attempt the reasoner takes the hint with the configured probability.
        let fix = !task.hints.is_empty() && rng.random_bool(self.cfg.hint_uptake.clamp(0.0, 1.0));
        Ok(crate::reasoner::attempt_with(
            self.made, self.goal, exec, self.cfg, fix, next_call, &mut rng,
        ))
    }
}
