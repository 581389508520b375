package dev.asynclocal.kotlin

import dev.asynclocal.AsyncLocalStorage
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

/**
 * 10,000 coroutines on Dispatchers.Default, each with its own value, each suspending 20 times
 * (`delay`, `yield`, `withContext(Dispatchers.IO)`): every resume sees its own value, and
 * afterwards no thread of either dispatcher has one.
 */
class StressTest {
    companion object {
        val VALUE = AsyncLocalStorage<String>("value")
    }

    /** The thread's own name (kotlinx's debug mode appends the running coroutine's). */
    private fun threadName() = Thread.currentThread().name.substringBefore(" @")

    @Test
    fun tenThousandCoroutinesTwentySuspensionsEachEveryResumeSeesItsOwnValue() {
        val resumes = AtomicInteger()
        val mismatches = ConcurrentHashMap.newKeySet<String>()
        val threads = ConcurrentHashMap.newKeySet<String>()
        runBlocking {
            (0 until 10_000).map { i ->
                val mine = "c-$i"
                async(Dispatchers.Default + VALUE.asContextElement(mine)) {
                    repeat(20) { round ->
                        when (round % 3) {
                            0 -> delay(1)
                            1 -> yield()
                            else -> withContext(Dispatchers.IO) {
                                if (VALUE.store != mine) mismatches.add("$mine in IO saw ${VALUE.store}")
                            }
                        }
                        threads.add(threadName())
                        if (VALUE.store != mine) mismatches.add("$mine round $round saw ${VALUE.store}")
                        resumes.incrementAndGet()
                    }
                }
            }.awaitAll()
        }
        assertThat(mismatches).isEmpty()
        assertThat(resumes.get()).isEqualTo(200_000)

        // Probes without the element, on both dispatchers: every thread they land on is clean.
        val probed = ConcurrentHashMap<String, String>()
        runBlocking {
            repeat(4_000) {
                launch(Dispatchers.Default) { probed.merge(threadName(), "${VALUE.store}") { a, b -> if (a == "null") b else a } }
                launch(Dispatchers.IO) { probed.merge(threadName(), "${VALUE.store}") { a, b -> if (a == "null") b else a } }
            }
        }
        assertThat(probed.values).containsOnly("null")
        assertThat(probed.keys).`as`("probes reached the threads the stress ran on").containsAnyElementsOf(threads)
    }
}
