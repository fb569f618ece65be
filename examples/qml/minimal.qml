// The QML version of PySide6's asyncio "minimal" example. Answer.ask() is an async slot.
// Takes the examples' options: --click-after 300ms, --quit-after 2s, --screenshot PATH.
import QtQuick
import QtQuick.Controls
import com.qtasync.examples

ApplicationWindow {
    id: window
    width: 420
    height: 160
    visible: true
    title: "qtasync: minimal QML"

    Answer { id: answer }

    Item {
        id: content
        anchors.fill: parent

    Column {
        anchors.centerIn: parent
        spacing: 16

        Label {
            anchors.horizontalCenter: parent.horizontalCenter
            text: answer.text
        }

        Button {
            id: button
            anchors.horizontalCenter: parent.horizontalCenter
            text: "What is the question?"
            onClicked: answer.ask()
        }

        BusyIndicator {
            anchors.horizontalCenter: parent.horizontalCenter
            running: answer.busy
            height: 24
        }
    }
    }

    function option(name) {
        const args = Qt.application.arguments
        const at = args.indexOf(name)
        return at >= 0 && at + 1 < args.length ? args[at + 1] : ""
    }

    function millis(text) {
        if (text.endsWith("ms")) return parseFloat(text)
        if (text.endsWith("s")) return parseFloat(text) * 1000
        return -1
    }

    Timer {
        interval: Math.max(0, millis(option("--click-after")))
        running: option("--click-after") !== ""
        onTriggered: button.clicked()
    }

    Timer {
        interval: Math.max(0, millis(option("--quit-after")))
        running: option("--quit-after") !== ""
        onTriggered: {
            const path = option("--screenshot")
            if (path === "") {
                Qt.quit()
                return
            }
            const grabbing = content.grabToImage(function (image) {
                image.saveToFile(path)
                Qt.quit()
            })
            if (!grabbing) Qt.quit()
        }
    }
}
