//! Order-preserving parallel map: worker threads compute items `0..n` in any order, the calling
//! thread consumes the results strictly in index order, so anything order-dependent (duplicate
//! removal, writing, summaries) stays on one thread and the output does not depend on the number
//! of workers.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};

/// How many items each worker may run ahead of the consumer (bounds the reorder buffer).
const AHEAD_PER_WORKER: u64 = 64;

/// The number of worker threads to use when none is given: all available cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Hand-out state shared by the workers and the consumer.
struct Gate {
    /// Next index to hand out and the number of items consumed so far.
    state: Mutex<(u64, u64)>,
    /// Signalled when the consumer advances or the run stops.
    moved: Condvar,
    /// Set when the run stops early (consumer error or a worker panic).
    stop: AtomicBool,
}

impl Gate {
    /// The next index for a worker, waiting while it would run too far ahead; `None` when done.
    fn take(&self, n: u64, window: u64) -> Option<u64> {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if self.stop.load(Ordering::Relaxed) || st.0 >= n {
                return None;
            }
            if st.0 < st.1 + window {
                let i = st.0;
                st.0 += 1;
                return Some(i);
            }
            st = self.moved.wait(st).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Records that `done` items have been consumed.
    fn consumed(&self, done: u64) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.1 = done;
        drop(st);
        self.moved.notify_all();
    }

    /// Stops handing out work.
    fn halt(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let _guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.moved.notify_all();
    }
}

/// Halts the gate when a worker unwinds, so the others and the consumer do not wait forever.
struct HaltOnPanic<'a>(&'a Gate);

impl Drop for HaltOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.halt();
        }
    }
}

/// Computes `work(state, i)` for `i` in `0..n` on one thread per element of `states` and calls
/// `consume(i, result)` on the calling thread in increasing `i`. With one state (or `n <= 1`)
/// everything runs on the calling thread. Stops at the first error of `consume`.
pub fn ordered<S, T, E>(
    n: u64,
    mut states: Vec<S>,
    work: &(dyn Fn(&mut S, u64) -> T + Sync),
    consume: &mut dyn FnMut(u64, T) -> Result<(), E>,
) -> Result<(), E>
where
    S: Send,
    T: Send,
{
    if states.len() <= 1 || n <= 1 {
        let Some(mut s) = states.pop() else {
            return Ok(());
        };
        for i in 0..n {
            let t = work(&mut s, i);
            consume(i, t)?;
        }
        return Ok(());
    }
    let window = AHEAD_PER_WORKER * states.len() as u64;
    let gate = Gate {
        state: Mutex::new((0, 0)),
        moved: Condvar::new(),
        stop: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(u64, T)>();
        for mut s in states {
            let tx = tx.clone();
            let gate = &gate;
            scope.spawn(move || {
                let _halt = HaltOnPanic(gate);
                while let Some(i) = gate.take(n, window) {
                    if tx.send((i, work(&mut s, i))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<u64, T> = BTreeMap::new();
        let mut next = 0u64;
        let result = loop {
            if next >= n {
                break Ok(());
            }
            if let Some(t) = pending.remove(&next) {
                if let Err(e) = consume(next, t) {
                    break Err(e);
                }
                next += 1;
                gate.consumed(next);
                continue;
            }
            match rx.recv() {
                Ok((i, t)) => {
                    pending.insert(i, t);
                }
                // Every worker is gone before the end: one panicked (the scope re-raises it).
                Err(_) => break Ok(()),
            }
        };
        gate.halt();
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_in_order_whatever_the_worker_count() {
        for jobs in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            let r: Result<(), ()> = ordered(
                500,
                vec![(); jobs],
                &|_, i| {
                    if i % 7 == 0 {
                        std::thread::sleep(std::time::Duration::from_micros(50));
                    }
                    i * i
                },
                &mut |i, v| {
                    assert_eq!(v, i * i);
                    seen.push(i);
                    Ok(())
                },
            );
            assert!(r.is_ok());
            assert_eq!(seen, (0..500).collect::<Vec<_>>(), "jobs {jobs}");
        }
    }

    #[test]
    fn a_consumer_error_stops_the_run() {
        let mut count = 0;
        let r = ordered(10_000, vec![(); 3], &|_, i| i, &mut |i, _| {
            count += 1;
            if i == 100 {
                Err("stop")
            } else {
                Ok(())
            }
        });
        assert_eq!(r, Err("stop"));
        assert_eq!(count, 101);
    }
}
