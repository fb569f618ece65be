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
    Occupied { generation: u32, value: T },
    Vacant { generation: u32 },
}

pub struct Arena<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    len: usize,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Arena<T> {
    pub fn new() -> Self {
        Arena { slots: Vec::new(), free: Vec::new(), len: 0 }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The id the next `insert` will return.
    pub fn next_id(&self) -> TaskId {
        match self.free.last() {
            Some(&index) => match self.slots[index as usize] {
                Slot::Vacant { generation } => TaskId { index, generation },
                Slot::Occupied { .. } => unreachable!("free list names an occupied slot"),
            },
            None => TaskId { index: self.slots.len() as u32, generation: 0 },
        }
    }

    pub fn insert(&mut self, value: T) -> TaskId {
        self.insert_with(|_| value)
    }

    /// Inserts the value `make` builds from the id it will have.
    pub fn insert_with(&mut self, make: impl FnOnce(TaskId) -> T) -> TaskId {
        let id = self.next_id();
        let value = make(id);
        self.len += 1;
        if self.free.pop().is_some() {
            self.slots[id.index as usize] = Slot::Occupied { generation: id.generation, value };
        } else {
            assert!(self.slots.len() < u32::MAX as usize, "more than 2^32 live tasks");
            self.slots.push(Slot::Occupied { generation: 0, value });
        }
        id
    }

    pub fn get_mut(&mut self, id: TaskId) -> Option<&mut T> {
        match self.slots.get_mut(id.index as usize) {
            Some(Slot::Occupied { generation, value }) if *generation == id.generation => {
                Some(value)
            }
            _ => None,
        }
    }

    pub fn remove(&mut self, id: TaskId) -> Option<T> {
        let slot = self.slots.get_mut(id.index as usize)?;
        match slot {
            Slot::Occupied { generation, .. } if *generation == id.generation => {
                let next =
                    Slot::Vacant { generation: generation.wrapping_add(1) & GENERATION_MASK };
                let Slot::Occupied { value, .. } = std::mem::replace(slot, next) else {
                    unreachable!()
                };
                self.free.push(id.index);
                self.len -= 1;
                Some(value)
            }
            _ => None,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().filter_map(|slot| match slot {
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
        for index in 0..self.slots.len() {
            if let Slot::Occupied { generation, .. } = self.slots[index] {
                let id = TaskId { index: index as u32, generation };
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
