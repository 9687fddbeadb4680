//! Work over a long list split in two, the second half on a thread of its own: for the steps
//! that go table by table and whose results keep the tables' order (pull's structs, the
//! diff, normalizing a schema), where the other core would otherwise wait or share.

/// `work` of the first half of `items` and of the second, in that order: a long list's second
/// half on a thread of its own, a short one's all on this thread (and the second half's work
/// of no items).
pub(crate) fn in_halves<'t, E: Sync, T: Send>(items: &'t [E], work: impl Fn(&'t [E]) -> T + Sync) -> [T; 2] {
    let (first, second) = items.split_at(items.len() / 2);
    if first.len() < 32 {
        return [work(items), work(&[])];
    }
    std::thread::scope(|s| {
        let other = std::thread::Builder::new().spawn_scoped(s, || {
            crate::room::make_room();
            work(second)
        });
        let first = work(first);
        let second = match other {
            Ok(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // Without a thread, this one does both.
            Err(_) => work(second),
        };
        [first, second]
    })
}

/// `work` on each of `items`, in place: a long list's second half on a thread of its own, a
/// short one's all on this thread.
pub(crate) fn each_in_halves<E: Send>(items: &mut [E], work: impl Fn(&mut E) + Sync) {
    let (first, second) = items.split_at_mut(items.len() / 2);
    if first.len() < 32 {
        first.iter_mut().chain(second.iter_mut()).for_each(&work);
        return;
    }
    // Taken by whichever thread does it: the other, or this one when no thread starts.
    let second = std::sync::Mutex::new(Some(second));
    let do_second = || {
        let taken = second.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(items) = taken {
            items.iter_mut().for_each(&work);
        }
    };
    std::thread::scope(|s| {
        let other = std::thread::Builder::new().spawn_scoped(s, || {
            crate::room::make_room();
            do_second()
        });
        first.iter_mut().for_each(&work);
        match other {
            Ok(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => do_second(),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_in_halves_covers_every_item_once_in_order() {
        for n in [0, 1, 2, 63, 64, 65, 500] {
            let items: Vec<String> = (0..n).map(|i| format!("t{i:03}")).collect();
            let names = |ts: &[String]| ts.to_vec();
            let [first, second] = in_halves(&items, names);
            assert_eq!([first.clone(), second.clone()].concat(), items, "{n} items");
            // Split only where each half is long enough to be worth a thread.
            assert_eq!(second.is_empty(), n < 64, "{n} items");
        }
    }

    #[test]
    fn work_on_each_in_halves_reaches_every_item_once() {
        for n in [0, 1, 2, 63, 64, 65, 500] {
            let mut items: Vec<usize> = (0..n).collect();
            each_in_halves(&mut items, |i| *i = *i * 3 + 1);
            assert_eq!(items, (0..n).map(|i| i * 3 + 1).collect::<Vec<_>>(), "{n} items");
        }
    }
}
