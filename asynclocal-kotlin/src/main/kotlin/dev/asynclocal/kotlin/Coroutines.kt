@file:JvmName("AsyncLocalCoroutines")

package dev.asynclocal.kotlin

import dev.asynclocal.AsyncLocalStorage
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.withContext

/**
 * The whole asynclocal context current here, as a coroutine context element: what a coroutine
 * started with it sees, whatever thread it runs on.
 *
 * ```
 * REQUEST_ID.run("r-1") {
 *     runBlocking(currentAsyncContext()) { ... }               // sees r-1, also after delay()
 *     CoroutineScope(Dispatchers.IO + currentAsyncContext()).launch { ... }   // sees r-1
 * }
 * ```
 */
fun currentAsyncContext(): AsyncContextElement = AsyncContextElement(Frames.current(), emptyList())

/**
 * An element that sets this storage's store to [value], on top of the context the coroutine would
 * otherwise have: its parent's when it is given to `launch`, `async` or `withContext` inside a
 * coroutine that carries an [AsyncContextElement], the context current here otherwise. The other
 * stores are untouched.
 *
 * ```
 * scope.launch(USER.asContextElement("alice")) { check(USER.store == "alice") }
 * ```
 */
fun <T> AsyncLocalStorage<T>.asContextElement(value: T): AsyncContextElement {
    val overlays = listOf(Overlay(this, value))
    return AsyncContextElement(Frames.apply(Frames.current(), overlays), overlays)
}

/**
 * Runs [block] with this storage's store set to [value]: `run` for suspending code. The store is
 * back to what it was when the block returns, on whatever thread the caller resumes.
 *
 * ```
 * USER.withStore("bob") {
 *     delay(10)
 *     check(USER.store == "bob")
 * }
 * ```
 */
suspend fun <T, R> AsyncLocalStorage<T>.withStore(value: T, block: suspend CoroutineScope.() -> R): R =
    withContext(asContextElement(value), block)

/**
 * [AsyncLocalStorage.run] for a Kotlin lambda that returns a value (from Kotlin, `run(value) { }`
 * picks the `Runnable` overload and drops the result).
 *
 * ```
 * val scope = REQUEST_ID.runWith("r-1") { CoroutineScope(Dispatchers.IO + currentAsyncContext()) }
 * ```
 */
inline fun <T, R> AsyncLocalStorage<T>.runWith(value: T, crossinline block: () -> R): R =
    run(value, dev.asynclocal.CallableOp<R, RuntimeException> { block() })
