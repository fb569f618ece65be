//! `SignalArg`: how a signal's arguments, which Qt lends to the handler for the duration of
//! one emission, become owned Rust values that a future or a stream can hand out later.

use cxx_qt_lib::{
    QByteArray, QDate, QLine, QLineF, QList, QListElement, QMargins, QMarginsF, QModelIndex,
    QPersistentModelIndex, QPoint, QPointF, QRect, QRectF, QSet, QSetElement, QSize, QSizeF,
    QString, QStringList, QTime, QUrl, QUuid, QVariant, QVector, QVectorElement,
};

/// A type a Qt signal may carry, turned into an owned value that outlives the emission: values
/// are kept as they are, references (`&QString`) are cloned.
///
/// Implemented for Rust's primitive types, raw pointers, and cxx-qt-lib's value types
/// (`QString`, `QByteArray`, `QStringList`, `QUrl`, `QVariant`, `QDate`, `QTime`, `QUuid`,
/// `QPoint(F)`, `QSize(F)`, `QRect(F)`, `QLine(F)`, `QMargins(F)`, `QModelIndex`,
/// `QPersistentModelIndex`, `QList<T>`, `QVector<T>`, `QSet<T>`, and with the `gui` feature
/// `QColor`), each by value and by reference. For a type of your own, implement it for the type
/// and for a reference to it:
///
/// ```
/// use qtasync::qt::SignalArg;
///
/// #[derive(Clone)]
/// pub struct Reading(f64);
///
/// impl SignalArg for Reading {
///     type Owned = Reading;
///     fn into_owned(self) -> Reading {
///         self
///     }
/// }
///
/// impl SignalArg for &Reading {
///     type Owned = Reading;
///     fn into_owned(self) -> Reading {
///         self.clone()
///     }
/// }
///
/// assert_eq!(SignalArg::into_owned(&Reading(2.5)).0, 2.5);
/// ```
#[diagnostic::on_unimplemented(
    message = "a signal argument of type `{Self}` cannot be handed out as an owned value",
    label = "qtasync::signal! needs `{Self}: qtasync::qt::SignalArg`",
    note = "implement `qtasync::qt::SignalArg` for the type and for a reference to it (clone it)"
)]
pub trait SignalArg {
    /// The owned value handed to futures, streams and connected coroutines.
    type Owned: 'static;

    /// Turns the argument lent by Qt into an owned value.
    fn into_owned(self) -> Self::Owned;
}

/// `T` is kept, `&T` is cloned.
macro_rules! owned_and_cloned {
    ($($ty:ty),* $(,)?) => {$(
        impl SignalArg for $ty {
            type Owned = $ty;
            fn into_owned(self) -> $ty {
                self
            }
        }

        impl SignalArg for &$ty {
            type Owned = $ty;
            #[allow(clippy::clone_on_copy)]
            fn into_owned(self) -> $ty {
                self.clone()
            }
        }
    )*};
}

owned_and_cloned!(bool, char, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);
owned_and_cloned!(
    QByteArray,
    QDate,
    QLine,
    QLineF,
    QMargins,
    QMarginsF,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    QString,
    QStringList,
    QTime,
    QUrl,
    QUuid,
    QVariant,
);

#[cfg(feature = "gui")]
owned_and_cloned!(cxx_qt_lib::QColor);

impl<T: QListElement + 'static> SignalArg for QList<T> {
    type Owned = QList<T>;
    fn into_owned(self) -> QList<T> {
        self
    }
}

impl<T: QListElement + 'static> SignalArg for &QList<T> {
    type Owned = QList<T>;
    fn into_owned(self) -> QList<T> {
        self.clone()
    }
}

impl<T: QVectorElement + 'static> SignalArg for QVector<T> {
    type Owned = QVector<T>;
    fn into_owned(self) -> QVector<T> {
        self
    }
}

impl<T: QVectorElement + 'static> SignalArg for &QVector<T> {
    type Owned = QVector<T>;
    fn into_owned(self) -> QVector<T> {
        self.clone()
    }
}

impl<T: QSetElement + 'static> SignalArg for QSet<T> {
    type Owned = QSet<T>;
    fn into_owned(self) -> QSet<T> {
        self
    }
}

impl<T: QSetElement + 'static> SignalArg for &QSet<T> {
    type Owned = QSet<T>;
    fn into_owned(self) -> QSet<T> {
        self.clone()
    }
}

/// A pointer is handed out as it is (what it points to is the receiver's business).
impl<T: 'static> SignalArg for *mut T {
    type Owned = *mut T;
    fn into_owned(self) -> *mut T {
        self
    }
}

/// A pointer is handed out as it is (what it points to is the receiver's business).
impl<T: 'static> SignalArg for *const T {
    type Owned = *const T;
    fn into_owned(self) -> *const T {
        self
    }
}
