//! A generational arena: the home of every live task's future, indexed by [`TaskId`]. A stale id
//! (its task finished and the slot was reused) never reaches the new occupant.

/// Names one task of one loop. Ids are plain integers so that wakers on any thread can carry them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskId {
    index: u32,
    /// 31 bits (it wraps there), so that an id fits in 63 bits (see [`TaskId::to_bits`]).
    generation: u32,
}

const GENERATION_MASK: u32 = (1 << 31) - 1;

impl TaskId {
    /// The id in the low 63 bits of a `u64` (the timer heap keeps a sleeping task's id in its
    /// entry, beside a kind bit).
    pub fn to_bits(self) -> u64 {
        (u64::from(self.index) << 31) | u64::from(self.generation)
    }

    /// The inverse of [`to_bits`](Self::to_bits) (the top bit is ignored).
    pub fn from_bits(bits: u64) -> TaskId {
        TaskId { index: (bits >> 31) as u32, generation: bits as u32 & GENERATION_MASK }
    }
}

enum Slot<T> {
    Occupied {
        generation: u32,
        value: T,
    },
    /// `next_free`: the next vacant slot of the free list (`NONE` ends it).
    Vacant {
        generation: u32,
        next_free: u32,
    },
}

const NONE: u32 = u32::MAX;

/// Slots per chunk. The arena grows a chunk at a time and never moves a slot: a burst of
/// spawns costs no copy of the slots already there (a `Vec` that doubles copies them all, and
/// faults fresh pages in for each copy).
const CHUNK: usize = 1024;

pub struct Arena<T> {
    /// Every chunk but the last is full (`CHUNK` slots); slot `i` is `chunks[i / CHUNK][i % CHUNK]`.
    chunks: Vec<Vec<Slot<T>>>,
    /// The most recently vacated slot (the free list runs through the vacant slots).
    free: u32,
    len: usize,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Arena<T> {
    pub fn new() -> Self {
        Arena { chunks: Vec::new(), free: NONE, len: 0 }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn slot(&self, index: u32) -> Option<&Slot<T>> {
        self.chunks.get(index as usize / CHUNK)?.get(index as usize % CHUNK)
    }

    fn slot_mut(&mut self, index: u32) -> Option<&mut Slot<T>> {
        self.chunks.get_mut(index as usize / CHUNK)?.get_mut(index as usize % CHUNK)
    }

    fn slot_count(&self) -> usize {
        self.chunks.last().map_or(0, |last| (self.chunks.len() - 1) * CHUNK + last.len())
    }

    /// The id the next `insert` will return.
    pub fn next_id(&self) -> TaskId {
        if self.free != NONE {
            match self.slot(self.free) {
                Some(Slot::Vacant { generation, .. }) => {
                    return TaskId { index: self.free, generation: *generation }
                }
                _ => unreachable!("the free list names a vacant slot"),
            }
        }
        let index = u32::try_from(self.slot_count())
            .ok()
            .filter(|index| *index < NONE)
            .expect("fewer than 2^32 - 1 live tasks");
        TaskId { index, generation: 0 }
    }

    pub fn insert(&mut self, value: T) -> TaskId {
        self.insert_with(|_| (value, ())).0
    }

    /// Inserts the value `make` builds from the id it will have; the id, and what else `make`
    /// returned.
    pub fn insert_with<R>(&mut self, make: impl FnOnce(TaskId) -> (T, R)) -> (TaskId, R) {
        let id = self.next_id();
        let (value, rest) = make(id);
        self.len += 1;
        let occupied = Slot::Occupied { generation: id.generation, value };
        if self.free == id.index {
            let slot = self.slot_mut(id.index).expect("a vacant slot");
            let Slot::Vacant { next_free, .. } = std::mem::replace(slot, occupied) else {
                unreachable!("the free list names a vacant slot")
            };
            self.free = next_free;
        } else {
            if self.chunks.last().map_or(true, |last| last.len() == CHUNK) {
                self.chunks.push(Vec::with_capacity(CHUNK));
            }
            self.chunks.last_mut().expect("pushed").push(occupied);
        }
        (id, rest)
    }

    pub fn get_mut(&mut self, id: TaskId) -> Option<&mut T> {
        match self.slot_mut(id.index) {
            Some(Slot::Occupied { generation, value }) if *generation == id.generation => {
                Some(value)
            }
            _ => None,
        }
    }

    pub fn remove(&mut self, id: TaskId) -> Option<T> {
        let free = self.free;
        let slot = self.slot_mut(id.index)?;
        match slot {
            Slot::Occupied { generation, .. } if *generation == id.generation => {
                let generation = generation.wrapping_add(1) & GENERATION_MASK;
                let next = Slot::Vacant { generation, next_free: free };
                let Slot::Occupied { value, .. } = std::mem::replace(slot, next) else {
                    unreachable!()
                };
                self.free = id.index;
                self.len -= 1;
                Some(value)
            }
            _ => None,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten().filter_map(|slot| match slot {
            Slot::Occupied { value, .. } => Some(value),
            Slot::Vacant { .. } => None,
        })
    }

    /// Empties the arena, handing back every value (stale ids stay stale).
    pub fn take_all(&mut self) -> Vec<T> {
        if self.len == 0 {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(self.len);
        for index in 0..self.slot_count() as u32 {
            if let Some(Slot::Occupied { generation, .. }) = self.slot(index) {
                let id = TaskId { index, generation: *generation };
                out.extend(self.remove(id));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_ids_miss_and_slots_are_reused() {
        let mut arena = Arena::new();
        let a = arena.insert("a");
        assert_eq!(arena.next_id().index, 1);
        assert_eq!(arena.remove(a), Some("a"));
        assert_eq!(arena.remove(a), None);
        let b = arena.insert("b");
        assert_eq!(b.index, a.index);
        assert_ne!(b, a);
        assert!(arena.get_mut(a).is_none());
        assert_eq!(arena.get_mut(b).copied(), Some("b"));
        let c = arena.insert("c");
        assert_eq!(arena.len(), 2);
        let mut all = arena.take_all();
        all.sort();
        assert_eq!(all, vec!["b", "c"]);
        assert!(arena.get_mut(c).is_none());
        assert_eq!(arena.len(), 0);
    }

    #[test]
    fn slots_span_chunks_and_the_free_list_reuses_the_latest_vacated_first() {
        let mut arena = Arena::new();
        let ids: Vec<_> = (0..CHUNK + 5).map(|i| arena.insert(i)).collect();
        assert_eq!(arena.chunks.len(), 2);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(arena.get_mut(*id).copied(), Some(i));
        }
        let (early, late) = (ids[3], ids[CHUNK + 1]);
        assert_eq!(arena.remove(early), Some(3));
        assert_eq!(arena.remove(late), Some(CHUNK + 1));
        let reused = arena.insert(7);
        assert_eq!(reused.index, late.index, "last in, first out");
        assert_eq!(arena.insert(8).index, early.index);
        assert_eq!(arena.insert(9).index as usize, CHUNK + 5, "then fresh slots");
        assert!(arena.get_mut(late).is_none() && arena.get_mut(early).is_none());
        assert_eq!(arena.iter().count(), CHUNK + 6);
        assert_eq!(arena.take_all().len(), CHUNK + 6);
        assert!(arena.is_empty() && arena.get_mut(reused).is_none());
    }

    #[test]
    fn ids_round_trip_through_63_bits() {
        for id in [
            TaskId { index: 0, generation: 0 },
            TaskId { index: u32::MAX - 1, generation: GENERATION_MASK },
            TaskId { index: 7, generation: 12345 },
        ] {
            assert_eq!(id.to_bits() >> 63, 0);
            assert_eq!(TaskId::from_bits(id.to_bits() | 1 << 63), id);
        }
    }
}
