package dev.asynclocal.kotlin

import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.CopyableThreadContextElement

/**
 * The asynclocal context of one coroutine: all its stores at once, installed on whatever thread
 * the coroutine resumes on and taken off again when it suspends, at the cost of two thread-local
 * writes, whatever the number of stores.
 *
 * Node's semantics, for coroutines:
 * - a child coroutine (`launch`, `async`, `withContext`, `flowOn`, a `produce`d channel) starts
 *   with the context its parent had at the moment it was started, and nothing the child sets ever
 *   flows back to the parent;
 * - `run`, `withScope` and `enterWith` inside a coroutine change that coroutine's context: the
 *   change lasts across the coroutine's own suspensions and ends with the coroutine (or with the
 *   `run`/scope), and it never stays on the thread, which gets back what it had each time the
 *   coroutine suspends;
 * - a coroutine without this element sees whatever the thread it runs on has (nothing, on the
 *   dispatchers' own threads).
 *
 * Obtain one with [currentAsyncContext] or [dev.asynclocal.AsyncLocalStorage.asContextElement],
 * or set one store for a block with [dev.asynclocal.AsyncLocalStorage.withStore].
 */
class AsyncContextElement internal constructor(
    /** What the coroutine runs in; kept up to date at each suspension. */
    private var context: Any,
    /** For an element made by `asContextElement`: the stores it sets on top of its parent's context. */
    private val overlays: List<Overlay<*>>,
) : CopyableThreadContextElement<Any?> {
    /**
     * The thread that runs the coroutine right now, between resume and suspension. Plain: a
     * coroutine runs on one thread at a time, and its dispatcher orders the hand-offs.
     */
    private var runningOn: Thread? = null

    /** The key of the element in a coroutine context: `coroutineContext[AsyncContextElement]`. */
    companion object Key : CoroutineContext.Key<AsyncContextElement>

    override val key: CoroutineContext.Key<*> get() = Key

    override fun updateThreadContext(context: CoroutineContext): Any? {
        val previous = Frames.install(this.context)
        runningOn = Thread.currentThread()
        return previous
    }

    override fun restoreThreadContext(context: CoroutineContext, oldState: Any?) {
        // What the coroutine set while it ran (enterWith, an open withScope) is its own: keep it
        // for its next resume. The thread gets back exactly what it had.
        this.context = Frames.current()
        runningOn = null
        Frames.restore(oldState!!)
    }

    /** The context now: the thread's, when called from inside the running coroutine. */
    private fun live(): Any = if (runningOn === Thread.currentThread()) Frames.current() else context

    override fun copyForChild(): CopyableThreadContextElement<Any?> = AsyncContextElement(live(), emptyList())

    override fun mergeForChild(overwritingElement: CoroutineContext.Element): CoroutineContext {
        val child = overwritingElement as AsyncContextElement
        if (child.overlays.isEmpty()) {
            return child.copyForChild() // a whole context given for the child replaces the parent's
        }
        return AsyncContextElement(Frames.apply(live(), child.overlays), emptyList())
    }

    override fun toString(): String =
        if (overlays.isEmpty()) "AsyncContextElement" else "AsyncContextElement$overlays"
}
