package dev.asynclocal.kotlin

import dev.asynclocal.AsyncLocalStorage
import dev.asynclocal.CallableOp
import dev.asynclocal.internal.Engine

/**
 * The only place in this module that touches the core's internals: reading the thread's whole
 * asynclocal context as an opaque token and putting a token back, each one thread-local access
 * with no allocation, which is what a coroutine pays on every resume and suspension. The public
 * API has these as closures only (`Snapshot.run`), and a coroutine's resume and suspension are two
 * separate callbacks.
 */
internal object Frames {
    /** The calling thread's whole context (opaque; the empty context is a token too). */
    fun current(): Any = Engine.frame()

    /** Makes [token] the calling thread's whole context; returns the one it replaces. */
    fun install(token: Any): Any = Engine.enter(token)

    /** Puts back the context [install] returned. */
    fun restore(previous: Any) = Engine.exit(previous)

    /** [base] with each overlay's store set on top of it, in order. */
    fun apply(base: Any, overlays: List<Overlay<*>>): Any {
        val saved = install(base)
        try {
            return applyFrom(overlays, 0)
        } finally {
            restore(saved)
        }
    }

    private fun applyFrom(overlays: List<Overlay<*>>, index: Int): Any =
        if (index == overlays.size) current() else overlays[index].runWith { applyFrom(overlays, index + 1) }!!
}

/** One store to set: what `storage.asContextElement(value)` stands for. */
internal class Overlay<T>(private val storage: AsyncLocalStorage<T>, private val value: T) {
    fun runWith(body: () -> Any?): Any? = storage.run(value, CallableOp<Any?, RuntimeException> { body() })

    override fun toString() = "${storage.name()}=$value"
}
