//! A small persistent thread pool for the matrix products, std only.
//!
//! Spawning threads per call (`std::thread::scope`) cost tens of microseconds, more than
//! two threads save on a training step's products. Here the workers are spawned once
//! and park in `mpsc::Receiver::recv` between jobs; a job is one closure `f(part)` run
//! for `part` in `0..parts`: part 0 on the calling thread, part `i` on worker `i - 1`.
//! The caller then waits for every worker on a counter (a short spin, then a Condvar).
//!
//! The job borrows the caller's data (the matrices) through a lifetime-erased pointer:
//! see [`Pool::run`] for why that is sound. A panic in a part is caught where it
//! happens (worker or caller), the other parts still run to the end, and `run` returns
//! it as an `Err` with the panic's message: nothing unwinds across a worker, nothing
//! aborts, and the pool stays usable.
//!
//! One job at a time: a second caller (another Node worker thread using the addon) that
//! finds the pool busy runs its whole job on its own thread instead of waiting.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex, TryLockError};

/// A job as the workers see it: `f(part)`, with the borrow's lifetime erased.
#[derive(Clone, Copy)]
struct JobRef(*const (dyn Fn(usize) + Sync + 'static));

// SAFETY: the pointee is `Sync` (`Fn + Sync`), so calling it from another thread through
// a shared reference is allowed; the pointer itself is valid for as long as any worker
// can use it, because `Pool::run` does not return before every worker has finished with
// it (see there).
unsafe impl Send for JobRef {}

/// What the workers and the caller of one job share. Lives in an `Arc`, so a worker
/// may touch it (the unlock after its notify) after the caller has returned.
struct Shared {
    /// Worker parts of the current job not finished yet.
    left: AtomicUsize,
    /// The message of the first panic of the current job, if any.
    panic: Mutex<Option<String>>,
    /// Guards the sleep on `done` (the count itself is `left`).
    lock: Mutex<()>,
    done: Condvar,
}

struct Task {
    job: JobRef,
    part: usize,
}

struct Inner {
    /// One channel per worker; dropping a sender ends that worker.
    workers: Vec<Sender<Task>>,
    shared: Arc<Shared>,
}

/// The pool: workers are spawned on demand, up to what a job asks for.
pub struct Pool {
    inner: Mutex<Inner>,
}

/// Spins this many times on the counter before sleeping: workers usually finish within
/// a few microseconds of the caller, and a futex sleep and wake costs more than that.
const SPIN: u32 = 1 << 11;

impl Default for Pool {
    fn default() -> Self {
        Self::new()
    }
}

impl Pool {
    pub fn new() -> Pool {
        Pool {
            inner: Mutex::new(Inner {
                workers: Vec::new(),
                shared: Arc::new(Shared {
                    left: AtomicUsize::new(0),
                    panic: Mutex::new(None),
                    lock: Mutex::new(()),
                    done: Condvar::new(),
                }),
            }),
        }
    }

    /// Keeps exactly `n` workers (fewer if the system refuses threads): spawns the
    /// missing ones, and ends the extra ones (they exit once their channel is closed).
    /// Returns how many there are.
    pub fn resize(&self, n: usize) -> usize {
        let mut inner = lock(&self.inner);
        inner.resize(n)
    }

    /// Ends workers beyond the first `n`, if there are more.
    pub fn shrink(&self, n: usize) {
        let mut inner = lock(&self.inner);
        if inner.workers.len() > n {
            inner.resize(n);
        }
    }

    /// Workers alive now.
    pub fn workers(&self) -> usize {
        lock(&self.inner).workers.len()
    }

    /// Runs `f(part)` for every `part` in `0..parts`, part 0 on this thread and the
    /// others on workers (spawned if fewer than `parts - 1` exist), and returns when
    /// all are done. Parts run concurrently, so `f` must make them independent. If the
    /// pool is busy with another caller's job, or has too few threads, this thread runs
    /// the remaining parts itself. A panic in any part becomes `Err(message)` once every
    /// part has finished.
    pub fn run(&self, parts: usize, f: &(dyn Fn(usize) + Sync)) -> Result<(), String> {
        if parts <= 1 {
            return caught(catch_unwind(AssertUnwindSafe(|| {
                if parts == 1 {
                    f(0)
                }
            })));
        }
        let mut inner = match self.inner.try_lock() {
            Ok(g) => g,
            // A panic is never raised while the lock is held, but a poisoned lock holds
            // nothing inconsistent either.
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                return caught(catch_unwind(AssertUnwindSafe(|| (0..parts).for_each(f))))
            }
        };
        if inner.workers.len() < parts - 1 {
            inner.resize(parts - 1);
        }
        let helpers = inner.workers.len().min(parts - 1);
        let shared = &*inner.shared;
        *lock(&shared.panic) = None;
        shared.left.store(helpers, Ordering::Relaxed);
        // SAFETY: this erases the lifetime of the borrow `f` (and of everything `f`
        // borrows: the caller's slices). It is sound because this function does not
        // return, or unwind, before every worker handed `job` has finished calling it:
        // - each worker decrements `left` only after its call of `f` has returned or
        //   its panic was caught, and never reads `job` again afterwards;
        // - below, after sending, nothing can unwind (our own parts run under
        //   `catch_unwind`; a send to a live worker cannot fail) before the wait for
        //   `left == 0`, which is unconditional;
        // - a send that fails (a worker that died, which a caught panic never causes)
        //   hands the job to nobody; the caller then runs that part and decrements.
        // So `f` and its borrows outlive every use through `job`, and the `&mut` parts
        // that `f` makes from its raw pointers are not used after the caller resumes.
        let job = JobRef(unsafe {
            std::mem::transmute::<
                *const (dyn Fn(usize) + Sync + '_),
                *const (dyn Fn(usize) + Sync + 'static),
            >(f)
        });
        let mut orphans = Vec::new();
        for (i, w) in inner.workers[..helpers].iter().enumerate() {
            if w.send(Task { job, part: i + 1 }).is_err() {
                orphans.push(i + 1);
            }
        }
        let mine = catch_unwind(AssertUnwindSafe(|| {
            f(0);
            (helpers + 1..parts).for_each(f);
        }));
        // Parts whose worker is gone (never expected: workers catch every panic) run
        // here, each counted as done as a worker would count it.
        for &part in &orphans {
            if let Err(e) = catch_unwind(AssertUnwindSafe(|| f(part))) {
                record(shared, e);
            }
            shared.left.fetch_sub(1, Ordering::AcqRel);
        }
        wait(shared);
        let theirs = lock(&shared.panic).take();
        if !orphans.is_empty() {
            // Start afresh with new workers at the next job.
            inner.workers.clear();
        }
        caught(mine)?;
        match theirs {
            Some(msg) => Err(msg),
            None => Ok(()),
        }
    }
}

impl Inner {
    fn resize(&mut self, n: usize) -> usize {
        self.workers.truncate(n);
        while self.workers.len() < n {
            let (tx, rx) = channel::<Task>();
            let shared = Arc::clone(&self.shared);
            let spawned = std::thread::Builder::new()
                .name(format!("descent-{}", self.workers.len() + 1))
                // Explicit, whatever RUST_MIN_STACK says: a packed product keeps 432 KiB
                // of blocks on the stack.
                .stack_size(2 << 20)
                .spawn(move || {
                    while let Ok(task) = rx.recv() {
                        // SAFETY: `Pool::run` keeps the job alive until `left` reaches 0,
                        // which happens only after this call (see there).
                        let f = unsafe { &*task.job.0 };
                        if let Err(e) = catch_unwind(AssertUnwindSafe(|| f(task.part))) {
                            record(&shared, e);
                        }
                        // The last use of `task.job`: after this the caller may return.
                        if shared.left.fetch_sub(1, Ordering::AcqRel) == 1 {
                            let _g = lock(&shared.lock);
                            shared.done.notify_one();
                        }
                    }
                });
            match spawned {
                Ok(_) => self.workers.push(tx),
                Err(_) => break,
            }
        }
        self.workers.len()
    }
}

/// Waits until every worker part of the current job is done.
fn wait(shared: &Shared) {
    for _ in 0..SPIN {
        if shared.left.load(Ordering::Acquire) == 0 {
            return;
        }
        std::hint::spin_loop();
    }
    let mut g = lock(&shared.lock);
    // A worker that brings `left` to 0 takes `lock` before notifying, so it cannot
    // notify between this check and the wait.
    while shared.left.load(Ordering::Acquire) != 0 {
        g = shared.done.wait(g).unwrap_or_else(|p| p.into_inner());
    }
}

/// Keeps the message of a part's panic for the caller.
fn record(shared: &Shared, e: Box<dyn Any + Send>) {
    let msg = panic_message(e);
    lock(&shared.panic).get_or_insert(msg);
}

/// The message of a caught panic. The payload is dropped under `catch_unwind` (leaked
/// if its drop panics), since a worker must not unwind before its part is counted as
/// done, nor an export into N-API.
pub fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let msg = message(&*payload);
    let _ = catch_unwind(AssertUnwindSafe(|| drop(payload))).map_err(std::mem::forget);
    msg
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn caught(r: std::thread::Result<()>) -> Result<(), String> {
    r.map_err(|e| message(&*e))
}

fn message(e: &(dyn Any + Send)) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with no message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_runs_once() {
        let pool = Pool::new();
        for parts in [0, 1, 2, 3, 5, 2, 1] {
            let hits: Vec<AtomicUsize> = (0..parts).map(|_| AtomicUsize::new(0)).collect();
            pool.run(parts, &|i| {
                hits[i].fetch_add(1, Ordering::Relaxed);
            })
            .unwrap();
            assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
        }
        assert_eq!(pool.workers(), 4);
        assert_eq!(pool.resize(1), 1);
    }

    #[test]
    fn a_panic_in_a_worker_is_an_error_and_the_pool_survives() {
        let pool = Pool::new();
        let done = AtomicUsize::new(0);
        for bad in [1, 0, 2] {
            let r = pool.run(3, &|i| {
                if i == bad {
                    panic!("part {i} failed");
                }
                done.fetch_add(1, Ordering::Relaxed);
            });
            assert_eq!(r, Err(format!("part {bad} failed")));
        }
        assert_eq!(done.load(Ordering::Relaxed), 6);
        let sum = AtomicUsize::new(0);
        pool.run(3, &|i| {
            sum.fetch_add(i, Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!(sum.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn concurrent_callers_each_get_their_job_done() {
        let pool = Pool::new();
        std::thread::scope(|s| {
            for t in 0..4 {
                let pool = &pool;
                s.spawn(move || {
                    for _ in 0..200 {
                        let mut out = vec![0usize; 4];
                        let p = SendPtr(out.as_mut_ptr());
                        pool.run(4, &|i| {
                            // SAFETY: each part writes its own element of `out`.
                            unsafe { *p.get().add(i) = i + t }
                        })
                        .unwrap();
                        assert_eq!(out, [t, 1 + t, 2 + t, 3 + t]);
                    }
                });
            }
        });
    }

    struct SendPtr(*mut usize);
    // SAFETY: test only; the parts write disjoint elements.
    unsafe impl Sync for SendPtr {}
    impl SendPtr {
        fn get(&self) -> *mut usize {
            self.0
        }
    }
}
