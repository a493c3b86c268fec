//! Slowing and locking repeated failed logins. The rules are pure
//! functions; `ssr` adds the database side.

/// How a key (one phone, or one client address) is treated.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures within the window after which each answer is delayed.
    pub slow_after: i64,
    /// Failures within the window that lock the key.
    pub lock_after: i64,
    pub window_secs: i64,
    pub lock_secs: i64,
}

/// Per phone number: a person mistyping twice is not slowed.
pub const PER_PHONE: Policy = Policy {
    slow_after: 3,
    lock_after: 6,
    window_secs: 15 * 60,
    lock_secs: 15 * 60,
};
/// Per client address: higher, since a village office shares one address.
pub const PER_ADDRESS: Policy = Policy {
    slow_after: 10,
    lock_after: 30,
    window_secs: 15 * 60,
    lock_secs: 15 * 60,
};

/// Per client address, for unknown certificate codes on the verify page.
/// Codes carry 100 bits, so slowing adds nothing; a scan is simply locked
/// out, a verifier who mistypes a few times never notices.
pub const VERIFY_MISSES: Policy = Policy {
    slow_after: 30,
    lock_after: 30,
    window_secs: 15 * 60,
    lock_secs: 15 * 60,
};

/// The stored key: a hash, so the table holds no phone or address.
#[cfg(feature = "ssr")]
pub fn key(kind: &str, value: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::auth::session::hex(&Sha256::digest(format!("{kind}:{value}").as_bytes()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub window_start: i64,
    pub locked_until: i64,
}

impl Policy {
    /// The state after one more failure at `now`.
    pub fn record_failure(&self, previous: Option<Failures>, now: i64) -> Failures {
        let (count, window_start) = match previous {
            Some(f) if now - f.window_start < self.window_secs => (f.count + 1, f.window_start),
            _ => (1, now),
        };
        let locked_until = if count >= self.lock_after {
            now + self.lock_secs
        } else {
            previous.map_or(0, |f| f.locked_until)
        };
        Failures {
            count,
            window_start,
            locked_until,
        }
    }

    /// Seconds a failed attempt's answer is held back: one per failure past
    /// `slow_after`, at most five.
    pub fn delay_secs(&self, failures: &Failures) -> u64 {
        (failures.count - self.slow_after + 1).clamp(0, 5) as u64
    }
}

impl Failures {
    /// Whole minutes left on a lock, rounded up; `None` when not locked.
    pub fn locked_minutes(&self, now: i64) -> Option<i64> {
        (self.locked_until > now).then(|| (self.locked_until - now + 59) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slows_from_the_third_failure_and_locks_at_the_sixth() {
        let mut state = None;
        let mut delays = Vec::new();
        for i in 0..6 {
            let f = PER_PHONE.record_failure(state, 1000 + i);
            delays.push(PER_PHONE.delay_secs(&f));
            state = Some(f);
        }
        assert_eq!(delays, [0, 0, 1, 2, 3, 4]);
        let locked = state.unwrap();
        assert_eq!(locked.locked_minutes(1005), Some(15));
        assert_eq!(locked.locked_minutes(1005 + 15 * 60), None);
    }

    #[test]
    fn failures_outside_the_window_start_over() {
        let first = PER_PHONE.record_failure(None, 0);
        let second = PER_PHONE.record_failure(Some(first), 10);
        assert_eq!(second.count, 2);
        let later = PER_PHONE.record_failure(Some(second), 15 * 60 + 1);
        assert_eq!(later.count, 1);
        assert_eq!(later.window_start, 15 * 60 + 1);
    }

    #[test]
    fn a_lock_outlives_the_window_reset_until_it_expires() {
        let locked = Failures {
            count: 6,
            window_start: 0,
            locked_until: 2000,
        };
        let next = PER_PHONE.record_failure(Some(locked), 1000);
        assert_eq!(next.count, 1);
        assert_eq!(next.locked_minutes(1000), Some(17));
    }
}
