package dev.asynclocal.kotlin

import dev.asynclocal.AsyncLocalStorage
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext

/** The code docs/kotlin.md shows: its kotlin blocks are regions of this file (see [DocsTest]). */
object DocExamples {
    // snippet:start declare
    val REQUEST_ID = AsyncLocalStorage<String>("requestId")
    val USER = AsyncLocalStorage<String>("user")
    // snippet:end declare

    val log = java.util.concurrent.CopyOnWriteArrayList<String>()

    fun log(message: String) {
        log.add("${REQUEST_ID.store}/${USER.store}: $message")
    }

    fun handle(request: String) {
        // snippet:start entry
        REQUEST_ID.runWith(request) {
            runBlocking(currentAsyncContext()) {      // the request's context, in every coroutine below
                log("start")
                val user = async(Dispatchers.IO) { delay(5); "alice" }.await()
                USER.withStore(user) {                // run() for suspending code
                    delay(5)
                    log("as $user")
                }
                log("done")
            }
        }
        // snippet:end entry
    }

    fun background(request: String): List<String> {
        val seen = java.util.concurrent.CopyOnWriteArrayList<String>()
        // snippet:start scope
        val scope = REQUEST_ID.runWith(request) {
            CoroutineScope(Dispatchers.Default + currentAsyncContext())   // built outside any coroutine
        }
        val job = scope.launch {
            launch(USER.asContextElement("bob")) { seen.add("${REQUEST_ID.store}/${USER.store}") }
            withContext(Dispatchers.IO) { seen.add("${REQUEST_ID.store}/${USER.store}") }
        }
        // snippet:end scope
        runBlocking { job.join() }
        return seen
    }

    fun enterWith(): List<String> {
        val seen = java.util.concurrent.CopyOnWriteArrayList<String>()
        runBlocking(currentAsyncContext()) {
            // snippet:start enterwith
            val child = launch(Dispatchers.Default) {
                REQUEST_ID.enterWith("set in the child")  // this coroutine's own, from here on
                delay(1)                                   // ... across its suspensions
                seen.add("child: ${REQUEST_ID.store}")     // "set in the child"
            }
            child.join()
            seen.add("parent: ${REQUEST_ID.store}")        // unchanged: nothing flows back
            // snippet:end enterwith
        }
        return seen
    }
}
